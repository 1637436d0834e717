import type { FieldIssue } from "../errors";

/**
 * A form sent back with the API's answer: what the admin typed, the message for each field
 * the API named, and a message for the form as a whole.
 */
export interface FormState {
  values: Record<string, string>;
  fieldErrors: Record<string, string>;
  message: string | null;
}

export function formStateFrom(
  values: Record<string, string>,
  error: { message: string; details?: FieldIssue[] },
  fields: readonly string[],
): FormState {
  const fieldErrors: Record<string, string> = {};
  for (const detail of error.details ?? []) {
    if (fields.includes(detail.field)) fieldErrors[detail.field] = sentence(detail.issue);
  }
  const named = Object.keys(fieldErrors).length > 0;
  return {
    values,
    fieldErrors,
    message: named ? "Please correct the fields marked below." : error.message,
  };
}

const sentence = (text: string) => {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/** Which form was sent back, if any, so the page re-renders it with its errors. */
export interface PageForms {
  topUp?: FormState;
  autoTopUp?: FormState;
  billingDetails?: FormState;
  exportError?: string;
  cardError?: string;
}

/** Short codes the redirects after a successful form carry; never free text from a URL. */
export const NOTICES = {
  "auto-top-up-saved": "Auto top-up settings saved.",
  "auto-top-up-off": "Auto top-up is turned off.",
  "signed-in": "You are signed in.",
} as const;
export type NoticeCode = keyof typeof NOTICES;
export const isNoticeCode = (code: string | undefined): code is NoticeCode =>
  code !== undefined && Object.hasOwn(NOTICES, code);
