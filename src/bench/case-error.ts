/** A mistake in a prompt file, named by its file and line (`cases.yaml:12: ...`): a usage error. */
import { UsageError } from '../core/errors.js';

export class CaseError extends UsageError {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`, 'fix the prompt file; see "Benchmarks over your prompt files" in the README for the case format');
  }
}
