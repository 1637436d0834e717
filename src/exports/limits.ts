/**
 * Every limit of the export, named once so the README can list them beside the platform
 * limits they respect.
 */

/** Size of every R2 multipart part but the last: R2 rejects unequal non-final parts. */
export const EXPORT_PART_BYTES = 8 * 1024 * 1024;

/** R2 refuses non-final parts smaller than this (local R2 in miniflare enforces it too). */
export const R2_MIN_PART_BYTES = 5 * 1024 * 1024;

/** R2 allows parts up to 5 GiB; the export holds one part in memory, so it stays far lower. */
export const EXPORT_PART_BYTES_MAX = 64 * 1024 * 1024;

/** R2 allows at most 10 000 parts per upload: 80 GB of CSV at 8 MiB parts. */
export const R2_MAX_PARTS = 10_000;

/** Rows per D1 page: a 1 000-row page of movements is a few hundred KB. */
export const EXPORT_PAGE_ROWS = 1_000;

/** The export covers the current day and this many whole days before it, local time. */
export const EXPORT_PAST_DAYS = 30;

/** How long an export file is kept in R2 before the sweep or lifecycle rule removes it. */
export const EXPORT_RETENTION_SECONDS = 7 * 24 * 60 * 60;

/** A download link lives as long as the file it points to, and no longer. */
export const EXPORT_LINK_TTL_SECONDS = EXPORT_RETENTION_SECONDS;

/**
 * A link shown on the status route is signed at each read and lives this long (never past
 * the file): it is clicked at once, and a short life limits what a leaked URL is worth.
 */
export const EXPORT_STATUS_LINK_TTL_SECONDS = 15 * 60;

/**
 * A failed delivery is retried after 10 s, 40 s, 160 s (the queue's max_retries is 3), so
 * the dead-letter handler reports a failure within the "few minutes" the help centre says.
 */
export const EXPORT_RETRY_BASE_SECONDS = 10;
export const EXPORT_RETRY_FACTOR = 4;
/** Queues accept a retry delay of at most 12 hours; ours stays far below it. */
export const EXPORT_RETRY_MAX_SECONDS = 10 * 60;

/** Files deleted per sweep step: one R2 delete (≤ 1 000 keys) and one UPDATE (≤ 100 bound parameters). */
export const EXPORT_SWEEP_BATCH_FILES = 90;
/** Files per sweep run; a backlog is finished by the next cron tick. */
export const EXPORT_SWEEP_MAX_FILES_PER_RUN = 900;
