import type { Logger } from 'pino';

// Every request carries its id and a child logger bound to it, so route code can log
// `req.log.info(...)` and the line is correlated with the access log and the problem document.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's types are extended through this global namespace.
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
    }
  }
}

export {};
