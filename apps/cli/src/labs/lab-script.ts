/**
 * A lab as a terminal session: commands typed at a prompt, what they print, what the user types into
 * them and the keys they press. The same script drives the test (which runs it and checks each line)
 * and is what docs/labs.md shows, so the page can only show output that really appears.
 */

/** One line of a step's screen, in the order it appears. */
export type ScreenLine =
  /** Printed by the command (stdout or stderr). `…` stands for any text (ids, times, paths). */
  | { out: string }
  /** Typed by the user into the command's standard input. */
  | { type: string }
  /** A key: Ctrl-D ends the input, Ctrl-C interrupts (SIGINT to the foreground job). */
  | { key: '^D' | '^C' };

export interface LabStep {
  /** The command as typed at the prompt. A trailing `&` runs it in the background. */
  command: string;
  /**
   * Left running in a terminal of its own (a server) while the lab goes on: the screen shows what it
   * printed before the next step. A command ending in `&` is one too.
   */
  keepsRunning?: boolean;
  screen: ScreenLine[];
  /**
   * Only the lines shown must appear, in order, with any others between them (a broker's log);
   * otherwise every output line must be one shown.
   */
  excerpt?: boolean;
  /** The command is repeated until its output matches, as a user would look again a moment later. */
  retry?: boolean;
}

export interface Lab {
  /** Anchor of the lab's section in docs/labs.md. */
  id: string;
  title: string;
  steps: LabStep[];
}

export const out = (text: string): ScreenLine => ({ out: text });
export const type = (text: string): ScreenLine => ({ type: text });
export const CTRL_C: ScreenLine = { key: '^C' };
export const CTRL_D: ScreenLine = { key: '^D' };

/** The step as a terminal shows it: the prompt line, then every line of the screen. */
export function renderStep(step: LabStep): string {
  const lines = [`$ ${step.command}`];
  for (const line of step.screen) {
    if ('out' in line) lines.push(line.out);
    else if ('type' in line) lines.push(line.type);
    else lines.push(line.key);
  }
  return lines.join('\n');
}

/** Whether an output line is the one shown (`…` matches any text). */
export function lineMatches(shown: string, actual: string): boolean {
  if (!shown.includes('…')) return shown === actual;
  const pattern = shown
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(actual);
}
