import express from 'express';
import type { Express, Router } from 'express';
import type { Logger } from 'pino';
import { httpServerSpans } from '../telemetry/http-server-span.ts';
import type { AccessLogFile } from './access-log-file.ts';
import { healthRoutes } from './health-routes.ts';
import { notFoundHandler, problemErrorHandler } from './problem-handlers.ts';
import { ReadinessChecks } from './readiness.ts';
import { rejectMalformedUri } from './reject-malformed-uri.ts';
import { requestContext } from './request-context.ts';

export interface ServiceAppOptions {
  /** The service's name, reported by the health endpoints and used for the server spans. */
  name: string;
  logger: Logger;
  /** Mounts the service's routes. Route handlers may be async: Express 5 forwards their rejections. */
  routes?: (router: Router) => void;
  /** Checks behind `/health/ready`; a fresh registry when absent (reach it as `app.readiness`). */
  readiness?: ReadinessChecks;
  /** The largest JSON body accepted (body-parser syntax); larger ones get a 413 problem. */
  jsonLimit?: string | number;
  /**
   * Where each request is also written as one JSON line (`openAccessLogFile`). Mounted before body
   * parsing and routing, so malformed bodies and unknown routes are logged as well.
   */
  accessLogFile?: AccessLogFile;
}

export type ServiceApp = Express & { readonly readiness: ReadinessChecks };

/**
 * The Express 5 application every service starts from: request ids, access logs, server spans,
 * health endpoints, JSON bodies, and problem+json for every error including unknown routes and
 * malformed percent-encoding.
 */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const readiness = options.readiness ?? new ReadinessChecks();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestContext(options.logger));
  if (options.accessLogFile) app.use(options.accessLogFile.middleware);
  app.use(rejectMalformedUri);
  app.use(httpServerSpans(options.name));
  app.use(healthRoutes(options.name, readiness));
  app.use(express.json({ limit: options.jsonLimit ?? '1mb' }));

  const router = express.Router();
  options.routes?.(router);
  app.use(router);

  app.use(notFoundHandler);
  app.use(problemErrorHandler);
  return Object.assign(app, { readiness });
}
