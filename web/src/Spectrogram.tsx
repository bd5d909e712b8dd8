// A log-mel spectrogram on a canvas: time to the right, mel bands upwards, one cell per frame and
// band, coloured by a viridis-like map over a domain shared by every spectrogram of a run.
import { useEffect, useRef } from 'react';

export interface SpectrogramData {
  frames: number;
  bands: number;
  /** [frames][bands] */
  values: number[][];
}

// viridis at 0, 1/8, ..., 1
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The colour of `t` in [0, 1] (clamped). */
export function colourOf(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i]!;
  const b = STOPS[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + f * (b[k]! - a[k]!))) as [number, number, number];
}

/** Pixels per frame and per band on screen. */
const CELL_X = 3;
const CELL_Y = 3;

export function Spectrogram({
  data,
  domain,
  label,
  role,
}: {
  data: SpectrogramData;
  domain: [number, number];
  label: string;
  role: 'synthesised' | 'real';
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || data.frames === 0) return;
    const img = ctx.createImageData(data.frames, data.bands);
    const [lo, hi] = domain;
    for (let t = 0; t < data.frames; t++)
      for (let m = 0; m < data.bands; m++) {
        const [r, g, b] = colourOf((data.values[t]![m]! - lo) / (hi - lo));
        // the lowest band at the bottom
        const p = ((data.bands - 1 - m) * data.frames + t) * 4;
        img.data[p] = r;
        img.data[p + 1] = g;
        img.data[p + 2] = b;
        img.data[p + 3] = 255;
      }
    ctx.putImageData(img, 0, 0);
    canvas.dataset.drawn = 'true';
  }, [data, domain]);
  return (
    <figure className="spectrogram" data-role={role}>
      <canvas
        ref={ref}
        width={Math.max(1, data.frames)}
        height={data.bands}
        style={{ width: Math.max(1, data.frames) * CELL_X, height: data.bands * CELL_Y }}
        aria-label={`${label}: log-mel spectrogram, ${data.frames} frames × ${data.bands} bands`}
      />
      <figcaption>
        {label} · {data.frames} frames
      </figcaption>
    </figure>
  );
}

/** The shared colour scale as a horizontal bar with its ends. */
export function ColourScale({ domain }: { domain: [number, number] }) {
  const stops = STOPS.map((c, i) => `rgb(${c.join(',')}) ${(100 * i) / (STOPS.length - 1)}%`).join(', ');
  return (
    <div className="colour-scale">
      <span>{domain[0].toFixed(1)}</span>
      <span className="bar" style={{ background: `linear-gradient(to right, ${stops})` }} />
      <span>{domain[1].toFixed(1)}</span>
      <span className="scale-note">log mel energy (natural log), one scale for every spectrogram</span>
    </div>
  );
}
