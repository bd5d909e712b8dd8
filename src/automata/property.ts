/**
 * Verification through an extracted automaton: a regular property (a regex over the alphabet)
 * is checked on the DFA exactly, through the product automaton, and the shortest counterexample
 * is then run on the network itself, since the DFA is only an approximation of it.
 *
 * Semantics: 'inclusion' holds when every string the DFA accepts is in L(regex) (counterexample:
 * accepted, not in L); 'exclusion' holds when no string the DFA accepts is in L(regex)
 * (counterexample: accepted and in L).
 */
import { ArgumentError } from '../core/errors.js';
import { productWitness, type Dfa } from './dfa.js';
import type { MembershipOracle } from './lstar.js';
import { regexToDfa } from './regex.js';

export type PropertyKind = 'inclusion' | 'exclusion';
export const PROPERTY_KINDS: readonly PropertyKind[] = ['inclusion', 'exclusion'];

export interface PropertyResult {
  property: string;
  kind: PropertyKind;
  /** The property holds on the DFA. */
  holds: boolean;
  /** Shortest counterexample on the DFA (then first in alphabet order), or null. */
  counterexample: string | null;
  /** The network's own answer on the counterexample (accepts?), when a network oracle was given. */
  networkAccepts: boolean | null;
  /** The network also violates the property on the counterexample (it accepts it, as the DFA does). */
  confirmed: boolean | null;
  propertyStates: number;
}

export function checkProperty(dfa: Dfa, regex: string, kind: PropertyKind, network?: MembershipOracle): PropertyResult {
  if (!PROPERTY_KINDS.includes(kind)) throw new ArgumentError('checkProperty', 'kind', PROPERTY_KINDS.join(' or '), JSON.stringify(kind));
  const p = regexToDfa(regex, dfa.alphabet);
  const cex = productWitness(dfa, p, (inDfa, inP) => inDfa && (kind === 'inclusion' ? !inP : inP));
  const networkAccepts = cex !== null && network ? network([cex])[0]! : null;
  return { property: regex, kind, holds: cex === null, counterexample: cex, networkAccepts, confirmed: networkAccepts, propertyStates: p.states };
}
