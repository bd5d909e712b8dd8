// Model structure from the run's model config: a chain of layer boxes with their sizes and
// parameter counts; recurrent layers offer their units to the linked unit selection.
import type { ModelConfig } from './api';
import { layerRows } from './model';

export function ModelView({
  config,
  unit,
  onUnit,
}: {
  config: ModelConfig | null;
  unit: string;
  onUnit: (u: string) => void;
}) {
  if (!config || !Array.isArray(config.layers)) {
    return <p className="empty">This run records no model configuration.</p>;
  }
  const rows = layerRows(config);
  const total = rows.reduce((a, r) => a + (r.params ?? 0), 0);
  const input = config.input;
  return (
    <div className="model" data-view="model">
      <div className="model-chain">
        <div className="layer-box input">
          <div className="layer-kind">input</div>
          <div>
            {input?.kind === 'tokens'
              ? `token ids (vocabulary ${input.vocabSize})`
              : `${input?.features ?? '?'} features per step`}
          </div>
        </div>
        {rows.map((r) => (
          <div key={r.index} className={`layer-box kind-${r.kind}`} data-layer={r.name}>
            <div className="layer-kind">{r.kind}</div>
            <div className="layer-name">{r.name}</div>
            <div>{r.detail}</div>
            <div className="layer-shape">
              {r.input ?? (r.kind === 'embedding' ? 'token ids' : '?')} → {r.output ?? '?'}
              {r.params !== null && ` · ${r.params.toLocaleString('en')} parameters`}
            </div>
            {r.units !== undefined && r.units <= 512 && (
              <div className="units" aria-label={`units of ${r.name}`}>
                {Array.from({ length: r.units }, (_, u) => (
                  <button
                    key={u}
                    className={`unit ${String(u) === unit ? 'selected' : ''}`}
                    data-unit={u}
                    title={`unit ${u}`}
                    onClick={() => onUnit(String(u) === unit ? '' : String(u))}
                  />
                ))}
              </div>
            )}
          </div>
        ))}
      </div>
      <p>
        {rows.length} layers · {total.toLocaleString('en')} parameters in total
      </p>
      <details>
        <summary>config JSON</summary>
        <pre>{JSON.stringify(config, null, 2)}</pre>
      </details>
    </div>
  );
}
