/** What a model does; decides how its outputs are decoded and scored. Dependency-free, so the web page imports it too. */
export const TASKS = ['classification', 'multilabel', 'detection', 'segmentation', 'sequence', 'regression', 'embedding'] as const;
export type Task = (typeof TASKS)[number];
