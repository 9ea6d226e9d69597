/**
 * What the gallery page is drawn from: plain values, decided before rendering (which file or URL
 * each video plays from, the totals), so the renderer is a pure function of them.
 */

/** Where one video plays from: a URL the page may load (a relative file path, file:, or https:). */
export interface GalleryMedia {
  /** The video row's id (for `octo videos download ID`). */
  videoId: string;
  /** Already a URL reference; null when the video is not on this machine nor in storage. */
  src: string | null;
  poster: string | null;
}

export interface GalleryCard {
  id: string;
  /** As the page shows and filters it (`completed`, `failed`, `cancelled`, `queued`, `running`, or another as recorded). */
  status: string;
  prompt: string;
  model: string;
  /** "WxH". */
  size: string;
  seconds: number;
  variants: number;
  tags: Record<string, string>;
  estimatedCost: number;
  failureReason: string | null;
  createdAt: Date;
  batchLine: number | null;
  /** One per variant that was recorded (none for a failed or unfinished line). */
  media: GalleryMedia[];
}

export interface GalleryTally {
  count: number;
  cost: number;
  seconds: number;
}

export interface GalleryTotals {
  /** Every card, by status as shown. */
  byStatus: { status: string; count: number }[];
  /** Completed generations: the spend `octo costs` reports (estimates). */
  completed: GalleryTally;
  /** Failed and cancelled: counted apart, not in the total. */
  failed: GalleryTally;
  /** Queued or running. */
  inFlight: GalleryTally;
}

export interface GalleryPage {
  /** What the page shows: "Batch prompts.txt", "Newest generations". */
  title: string;
  /** A line under the title ("showing 200 of 312"), when there is one. */
  note?: string;
  generatedAt: Date;
  cards: GalleryCard[];
  totals: GalleryTotals;
}
