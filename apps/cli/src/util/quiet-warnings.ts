/**
 * kafkajs 2.2.4 schedules its throttle check with a negative delay when nothing is throttled; Node 24
 * clamps it to 1 ms (the behaviour kafkajs expects) but prints a TimeoutNegativeWarning each time,
 * which would land in the middle of a command's output. Only that warning type is dropped.
 */
export function silenceKafkaJsTimerWarning(): void {
  const original = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type =
      typeof rest[0] === 'string'
        ? rest[0]
        : ((rest[0] as { type?: string } | undefined)?.type ?? (warning as Error)?.name);
    if (type === 'TimeoutNegativeWarning') return;
    (original as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
