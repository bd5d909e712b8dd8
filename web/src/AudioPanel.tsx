// Speech synthesis runs (tts-verify, synthesize --runs-dir): per recorded item an audio player
// for the synthesised word and one for a real held-out recording of the same digit and speaker,
// their log-mel spectrograms side by side on one colour scale, and what the recogniser heard,
// which voice the speaker classifier named and the largest cross-correlation with a training
// recording. Filters by digit and speaker. Shown only when the run has tts-items.json.
import { useState } from 'react';
import { pageToken, type RunDetails } from './api';
import { ErrorBox, Loading } from './ErrorBox';
import { ColourScale, Spectrogram, type SpectrogramData } from './Spectrogram';
import { useApi } from './use-api';
import './audio-panel.css';

export const TTS_ITEMS = 'tts-items.json';
/** Items shown before "show all". */
const PAGE = 24;

interface TtsItem {
  id: string;
  digit: string;
  speaker: string;
  take: number;
  seconds: number;
  audio: string;
  mel: string;
  real: string | null;
  realFile: string | null;
  recognisedAs: string | null;
  speakerHeard: string | null;
  maxCrossCorrelation: number | null;
}

interface TtsIndex {
  sampleRate: number;
  hop: number;
  melRange: [number, number];
  synthesised: number;
  takes: number;
  items: TtsItem[];
}

interface Content<T> {
  content: T;
}

/** An artifact as the browser fetches it itself (audio elements): inline, with the page's token. */
export function mediaUrl(run: string, name: string): string {
  const token = pageToken();
  const q = token ? `?${new URLSearchParams({ token })}` : '';
  return `api/runs/${encodeURIComponent(run)}/artifacts/${encodeURIComponent(name)}${q}`;
}

function Item({ run, item, domain }: { run: string; item: TtsItem; domain: [number, number] }) {
  const mel = useApi<Content<{ synthesised: SpectrogramData; real: SpectrogramData | null }>>(
    `runs/${encodeURIComponent(run)}/artifacts/${encodeURIComponent(item.mel)}`,
  );
  const wrong = item.recognisedAs !== null && item.recognisedAs !== item.digit;
  const otherVoice = item.speakerHeard !== null && item.speakerHeard !== item.speaker;
  return (
    <article className="tts-item" data-item={item.id} data-digit={item.digit} data-speaker={item.speaker}>
      <div className="tts-head">
        <strong>
          “{item.digit}” · {item.speaker} · take {item.take}
        </strong>
        {item.recognisedAs !== null && (
          <span className={wrong ? 'bad' : 'good'} data-label="recognised">
            recognised as {item.recognisedAs}
          </span>
        )}
        {item.speakerHeard !== null && (
          <span className={otherVoice ? 'bad' : 'good'} data-label="speaker">
            voice named {item.speakerHeard}
          </span>
        )}
        {item.maxCrossCorrelation !== null && (
          <span data-label="xcorr">max cross-correlation {item.maxCrossCorrelation.toFixed(3)}</span>
        )}
      </div>
      <div className="tts-pair">
        <div className="tts-side" data-side="synthesised">
          <audio controls preload="metadata" src={mediaUrl(run, item.audio)} data-role="synthesised" />
          {mel.data && (
            <Spectrogram data={mel.data.content.synthesised} domain={domain} label={`synthesised, ${item.seconds.toFixed(2)} s`} role="synthesised" />
          )}
        </div>
        <div className="tts-side" data-side="real">
          {item.real ? (
            <>
              <audio controls preload="metadata" src={mediaUrl(run, item.real)} data-role="real" />
              {mel.data?.content.real && (
                <Spectrogram data={mel.data.content.real} domain={domain} label={`real ${item.realFile ?? ''} (held out)`} role="real" />
              )}
            </>
          ) : (
            <p className="empty">no real recording recorded (pass --data)</p>
          )}
        </div>
      </div>
      {mel.error && <ErrorBox error={mel.error} what={`the spectrograms of ${item.id}`} />}
      {mel.loading && !mel.data && <Loading what="spectrograms" />}
    </article>
  );
}

function Filter({ name, values, value, onChange }: { name: string; values: string[]; value: string; onChange: (v: string) => void }) {
  return (
    <label>
      {name}{' '}
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">all</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AudioPanel({ d }: { d: RunDetails }) {
  const has = d.run.status === 'finished' && d.artifacts.some((a) => a.name === TTS_ITEMS);
  const index = useApi<Content<TtsIndex>>(has ? `runs/${encodeURIComponent(d.run.id)}/artifacts/${TTS_ITEMS}` : null);
  const [digit, setDigit] = useState('');
  const [speaker, setSpeaker] = useState('');
  const [all, setAll] = useState(false);
  if (!has) return null;
  if (index.error) return <ErrorBox error={index.error} what="the synthesised audio" />;
  if (!index.data) return <Loading what="the synthesised audio" />;
  const x = index.data.content;
  const digits = [...new Set(x.items.map((i) => i.digit))].sort();
  const speakers = [...new Set(x.items.map((i) => i.speaker))].sort();
  const shown = x.items.filter((i) => (!digit || i.digit === digit) && (!speaker || i.speaker === speaker));
  const page = all ? shown : shown.slice(0, PAGE);
  return (
    <section className="audio-panel">
      <h3>Listen</h3>
      <p className="hint">
        {x.items.length} of the {x.synthesised} synthesised words (the first {x.takes} take{x.takes === 1 ? '' : 's'} of each
        digit and voice), each beside a real held-out recording of the same digit and speaker; log-mel spectrograms
        trimmed of silence, {x.hop} samples per frame at {x.sampleRate} Hz.
      </p>
      <div className="tts-filters">
        <Filter name="digit" values={digits} value={digit} onChange={setDigit} />
        <Filter name="speaker" values={speakers} value={speaker} onChange={setSpeaker} />
        <span className="count">{shown.length} shown</span>
      </div>
      <ColourScale domain={x.melRange} />
      <div className="tts-items">
        {page.map((i) => (
          <Item key={i.id} run={d.run.id} item={i} domain={x.melRange} />
        ))}
      </div>
      {page.length < shown.length && (
        <button type="button" onClick={() => setAll(true)}>
          show all {shown.length}
        </button>
      )}
    </section>
  );
}
