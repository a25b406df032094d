import { cardMarkdown } from './card.ts';
import { twoSiteCardMarkdown } from './two-site/card.ts';

/** card.md for any card.json: two-site cards (they carry leave-one-site-out results) get their longer form. */
export function renderCard(card: Record<string, any>): string {
  return card.leaveOneSiteOut ? twoSiteCardMarkdown(card) : cardMarkdown(card);
}
