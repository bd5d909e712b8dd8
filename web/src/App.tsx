// The dashboard: the URL decides the page (runs list, one run's view, a comparison).
import { ComparePage } from './ComparePage';
import { ExplainNavLink, ExplainPage } from './ExplainPage';
import { RunPage, VIEWS } from './RunPage';
import { RunsList } from './RunsList';
import { useUrlState } from './url-state';

export function App() {
  const [url, setUrl] = useUrlState();
  const view = (VIEWS as readonly string[]).includes(url.view ?? '')
    ? (url.view as (typeof VIEWS)[number])
    : 'overview';
  let page;
  if (url.view === 'explain' && !url.run) page = <ExplainPage />;
  else if (url.run) page = <RunPage key={url.run} id={url.run} view={view} />;
  else if (url.compare) page = <ComparePage runs={url.compare.split(',').filter(Boolean)} />;
  else page = <RunsList />;
  return (
    <>
      <header>
        <a
          href="?"
          className="brand"
          onClick={(e) => (e.preventDefault(), setUrl({}, { push: true, reset: true }))}
        >
          rnnlens
        </a>
        <span className="tagline">
          training, explanations, internals and certificates of recurrent networks
        </span>
        <ExplainNavLink />
      </header>
      <main>{page}</main>
    </>
  );
}
