/**
 * The access log could not be written (or read), so the request must not release personal data.
 * Maps to the contract's `AUDIT_UNAVAILABLE`; `cause` holds the database error for the server log.
 */
export class AuditUnavailableError extends Error {
  readonly code = 'AUDIT_UNAVAILABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditUnavailableError';
  }
}

/** An argument given to the log is malformed; maps to the contract's `BAD_USER_INPUT`. */
export class AuditInputError extends Error {
  readonly code = 'BAD_USER_INPUT';

  constructor(message: string) {
    super(message);
    this.name = 'AuditInputError';
  }
}
