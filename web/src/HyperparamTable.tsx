// The settings of compared runs side by side: one row per setting of any run's config, the rows
// whose values differ marked, optionally only those.
import { useState } from 'react';
import { ErrorBox, Loading } from './ErrorBox';
import { useApi } from './use-api';

interface SettingsTable {
  runs: string[];
  rows: { key: string; values: (string | null)[]; differs: boolean }[];
}

export function HyperparamTable({ runs }: { runs: string[] }) {
  const [onlyDiffering, setOnlyDiffering] = useState(false);
  const { data, error } = useApi<SettingsTable>('compare/settings', { runs: runs.join(',') });
  if (error) return <ErrorBox error={error} what="the settings of the runs" />;
  if (!data) return <Loading what="the settings of the runs" />;
  const differing = data.rows.filter((r) => r.differs).length;
  const rows = onlyDiffering ? data.rows.filter((r) => r.differs) : data.rows;
  return (
    <div className="hyperparams">
      <h3>Settings</h3>
      <label>
        <input
          type="checkbox"
          name="only-differing"
          checked={onlyDiffering}
          onChange={(e) => setOnlyDiffering(e.target.checked)}
        />
        only the {differing} differing of {data.rows.length} settings
      </label>
      <table className="hyperparams">
        <thead>
          <tr>
            <th>setting</th>
            {data.runs.map((id) => (
              <th key={id}>
                <code>{id.slice(-13)}</code>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-setting={r.key} data-differs={r.differs ? 'true' : 'false'} className={r.differs ? 'differs' : ''}>
              <td>{r.key}</td>
              {r.values.map((v, i) => (
                <td key={data.runs[i]}>{v ?? '-'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
