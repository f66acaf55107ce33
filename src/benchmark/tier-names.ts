/** The paper's three tiers, in order from the device outwards. Plain constants (no Node): the browser bundle shares them. */
export const TIER_NAMES = ['mobile', 'edge', 'cloud'] as const;
export type TierName = (typeof TIER_NAMES)[number];
