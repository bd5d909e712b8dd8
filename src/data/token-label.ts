/** The text of token ids for figures and the dashboard. */

/** A token's label from a saved tokenizer's vocabulary (ids 0 PAD, 1 UNK, then the vocabulary). */
export function tokenLabel(id: number, preprocessing: Record<string, unknown>): string {
  const vocab = (preprocessing.tokenizer as { vocab?: string[] } | undefined)?.vocab;
  if (id === 0) return '<pad>';
  if (id === 1) return '<unk>';
  return vocab?.[id - 2] ?? `#${id}`;
}
