"""Fixtures for test/data: CSV parsing by Python's csv module and WAV decoding by scipy.io.wavfile.

Run: /usr/bin/python3 tools/gen_data_fixtures.py   (writes test/fixtures/data/*.json)
"""
import base64, csv, io, json, os
import numpy as np
from scipy.io import wavfile

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'data')
os.makedirs(OUT, exist_ok=True)

# --- CSV: tricky RFC 4180 inputs, parsed by the csv module (strict dialect) ---
cases = [
    'a,b,c\r\n1,2,3\r\n',
    'text,label\n"hello, world",pos\n"she said ""hi""",neg\n',
    'text,label\n"line one\nline two",pos\n"",neg\n',
    'x,y\n,\n"",""\n',
    'a,b\n1,2',
    'name,quote\n"O\'Brien","""quoted"" start"\n"tab\there",x\n',
    'k,v\r\n"multi\r\nline",1\r\nplain,2\r\n',
    'u,v\n"ünïcödé ✓",2\n"emoji 😀",3\n',
]
csv_out = []
for text in cases:
    rows = list(csv.reader(io.StringIO(text, newline=''), strict=True))
    rows = [r for r in rows if r != []]
    csv_out.append({'text': text, 'rows': rows})
with open(os.path.join(OUT, 'csv_cases.json'), 'w') as f:
    json.dump(csv_out, f, ensure_ascii=False, indent=1)

# --- WAV: several formats written and read back by scipy; expected = scipy's data scaled to [-1, 1] ---
rng = np.random.default_rng(3)
n = 48
t = np.arange(n)
base = 0.6 * np.sin(2 * np.pi * 3 * t / n) + 0.1 * rng.standard_normal(n)
wavs = []
def add(name, rate, data, scale, offset=0.0):
    buf = io.BytesIO()
    wavfile.write(buf, rate, data)
    rate2, back = wavfile.read(io.BytesIO(buf.getvalue()))
    x = (back.astype(np.float64) - offset) / scale
    if x.ndim == 2:
        x = x.mean(axis=1)  # stereo -> mono by averaging the channels
    wavs.append({'name': name, 'rate': int(rate2), 'bytes': base64.b64encode(buf.getvalue()).decode(), 'mono': [float(v) for v in x]})

add('pcm16', 8000, np.round(base * 32767).astype(np.int16), 32768.0)
add('pcm8u', 11025, np.round(base * 127 + 128).astype(np.uint8), 128.0, 128.0)
# scipy writes 32-bit int; 24-bit is not written by scipy, 32-bit covers the general 2^(bits-1) scale
add('pcm32', 16000, np.round(base * 2**31 * 0.99).astype(np.int32), 2.0**31)
add('float32', 22050, base.astype(np.float32), 1.0)
stereo = np.stack([np.round(base * 30000), np.round(-base * 10000)], axis=1).astype(np.int16)
add('stereo16', 8000, stereo, 32768.0)
with open(os.path.join(OUT, 'wav_cases.json'), 'w') as f:
    json.dump(wavs, f)
print('wrote', len(csv_out), 'csv cases and', len(wavs), 'wav cases to', os.path.abspath(OUT))
