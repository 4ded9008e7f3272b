// An API refusal: becomes the error envelope {"error":{code,message,request_id,...extra}}.
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: Record<string, unknown>;
  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export const invalid = (message: string, extra?: Record<string, unknown>): ApiFailure =>
  new ApiFailure(400, 'invalid_request', message, extra);
