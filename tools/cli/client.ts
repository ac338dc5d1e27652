// HTTP client of the diagnostics API for the technician CLI (global fetch).

/** An error the CLI reports on stderr; exitCode 2 is a usage error. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface ClientOptions {
  readonly url: string;
  readonly token: string;
  readonly timeoutMs?: number;
}

export class DiagnosticsClient {
  private readonly base: string;

  constructor(private readonly options: ClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: 'application/json' };
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, init);
    } catch (error) {
      throw new CliError(this.describeNetworkError(error, timeoutMs));
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new CliError(`unexpected answer from ${this.options.url} (HTTP ${response.status}): not JSON — is this the charger's diagnostics port?`);
      }
    }
    if (response.ok) return parsed as T;

    const err = parsed as { error?: unknown; message?: unknown } | undefined;
    const message = typeof err?.message === 'string' ? err.message : null;
    if (response.status === 401) {
      throw new CliError(`unauthorized: check --token${message ? ` (the charger says: ${message})` : ''}`);
    }
    if (response.status === 409 && err?.error === 'not-simulated') throw new CliError(`not a simulated board: ${message}`);
    if (message === null) throw new CliError(`unexpected answer from ${this.options.url}: HTTP ${response.status}`);
    throw new CliError(`the charger refused: ${message} (HTTP ${response.status})`);
  }

  private describeNetworkError(error: unknown, timeoutMs: number): string {
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return `the charger at ${this.options.url} did not answer within ${timeoutMs / 1000} s`;
    }
    const reason = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
    return `cannot reach the charger at ${this.options.url}: ${reason}`;
  }
}
