export interface DatasetView {
  id: string;
  name: string;
  kind: string;
  labelled: boolean;
  sampleCount: number;
  classes: string[] | null;
  preprocess: unknown;
  sha256: string;
  sizeBytes: number;
  format: string;
  createdAt: string;
}
