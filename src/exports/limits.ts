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
