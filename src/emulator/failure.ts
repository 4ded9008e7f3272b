// An API refusal: becomes the error envelope {"error":{code,message,request_id,...extra}}.
import { formatDecimal, type Money } from '../domain/money.js';
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

/** An amount in a message: its exact decimal, no trailing zeros (`12.5`, `0.0000375`). */
export const decimal = (money: Money): string => formatDecimal(money, 0);
