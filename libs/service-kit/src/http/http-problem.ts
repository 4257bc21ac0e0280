/**
 * An RFC 9457 problem. Throw one from a route (or pass it to `next`) and the app answers with
 * `application/problem+json`. `code` is the stable, machine-readable identifier clients switch on;
 * `type` is derived from it unless given, so every distinct code has its own type URI as the RFC asks.
 */
export interface HttpProblemInit {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  type?: string;
  /** Extra members of the problem object (e.g. `issues`, `orderId`). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId?: string;
  [extension: string]: unknown;
}

const TYPE_PREFIX = 'urn:retail-streams:problem:';

export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string;
  readonly extensions: Record<string, unknown>;

  constructor(init: HttpProblemInit) {
    super(init.detail ?? init.title ?? statusTitle(init.status), { cause: init.cause });
    this.name = 'HttpProblem';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? statusTitle(init.status);
    this.detail = init.detail;
    this.type = init.type ?? `${TYPE_PREFIX}${init.code.toLowerCase().replaceAll('_', '-')}`;
    this.extensions = init.extensions ?? {};
  }

  static badRequest(
    detail: string,
    code = 'BAD_REQUEST',
    extensions?: Record<string, unknown>,
  ): HttpProblem {
    return new HttpProblem({ status: 400, code, detail, extensions });
  }

  static notFound(detail: string, code = 'NOT_FOUND'): HttpProblem {
    return new HttpProblem({ status: 404, code, detail });
  }

  static conflict(detail: string, code = 'CONFLICT'): HttpProblem {
    return new HttpProblem({ status: 409, code, detail });
  }

  static serviceUnavailable(detail: string, code = 'SERVICE_UNAVAILABLE'): HttpProblem {
    return new HttpProblem({ status: 503, code, detail });
  }

  toDocument(context: { instance?: string; requestId?: string } = {}): ProblemDocument {
    // Extensions go first so that they can never overwrite the standard members.
    const document: ProblemDocument = {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      code: this.code,
    };
    if (this.detail !== undefined) document.detail = this.detail;
    if (context.instance !== undefined) document.instance = context.instance;
    if (context.requestId !== undefined) document.requestId = context.requestId;
    return document;
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}
