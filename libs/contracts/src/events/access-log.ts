import { z } from 'zod';

/**
 * One line of a service's access log, as the services write it to their log files. The file source
 * connector ships each line to `logs.access` unchanged (like Kafka's FileStreamSource), so this topic
 * carries raw lines rather than envelopes; analytics parses them with this schema.
 */
export const accessLogLine = z.object({
  time: z.iso.datetime({ offset: true }),
  service: z.string().min(1),
  method: z.string().min(1),
  path: z.string(),
  status: z.number().int().min(100).max(599),
  durationMs: z.number().nonnegative(),
  requestId: z.string().optional(),
});
export type AccessLogLine = z.infer<typeof accessLogLine>;
