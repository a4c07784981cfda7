// Shelf life lost to heat, deliberately linear: the stability budget (minutes
// above max the product tolerates over its life, as vaccine makers publish)
// is spent minute for minute, and each budget-minute spent costs
// shelfLifeDays / budget days. Exposure beyond the budget loses the whole
// shelf life. Real degradation is roughly Arrhenius (hotter costs more per
// minute) and freezing damage is a separate failure; neither is modelled here.

export const MS_PER_MINUTE = 60_000;

/** Days of shelf life lost after hotMs above the band's max. */
export function shelfDaysLost(hotMs: number, stabilityBudgetMinutes: number, shelfLifeDays: number): number {
  const used = hotMs / (stabilityBudgetMinutes * MS_PER_MINUTE);
  return used >= 1 ? shelfLifeDays : used * shelfLifeDays;
}
