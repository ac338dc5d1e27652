// What a security profile (OCPP 1.6 security whitepaper ed. 2 §2) means for one connect attempt:
// the HTTP Basic password and the TLS options handed to ws. A profile that cannot be honoured is
// refused here, before anything goes on the wire.

export interface TlsMaterial {
  /** PEM: the CA(s) the Central System's certificate must chain to (profiles 2, 3). */
  readonly ca?: string;
  /** PEM: the Charge Point certificate and its key (profile 3). */
  readonly cert?: string;
  readonly key?: string;
}

export interface ConnectSettings {
  /** HTTP Basic password (the user is the charge point id, A00.FR.204); undefined: no Basic header. */
  readonly password?: string;
  /** Passed to ws (TLS options). */
  readonly wsOpts: Record<string, unknown>;
}

export type SettingsResult = { readonly ok: true; readonly settings: ConnectSettings } | { readonly ok: false; readonly reason: string };

const refuse = (reason: string): SettingsResult => ({ ok: false, reason });

/**
 * Profile 0 (§7.6: "no security profile yet configured") and 1 ("Unsecured Transport", §2.3) run over
 * plain ws://; 2 and 3 are the TLS profiles (§2.4, §2.5) and need wss://. A00.FR.001: one profile at a
 * time, so a URL of the other kind is refused rather than silently "upgraded" or "downgraded".
 */
export function securitySettings(
  profile: number,
  protocol: string,
  authorizationKey: string | undefined,
  tls: TlsMaterial | undefined,
): SettingsResult {
  if (!Number.isInteger(profile) || profile < 0 || profile > 3) return refuse(`SecurityProfile ${profile} is not 0..3`);
  const secure = protocol === 'wss:';
  if (profile >= 2 && !secure) return refuse(`SecurityProfile ${profile} is a TLS profile (whitepaper §2.4/2.5): it needs a wss:// URL, not ${protocol}//`);
  if (profile <= 1 && secure) {
    return refuse(`SecurityProfile ${profile} is plain transport (whitepaper §2.3, A00.FR.001): a wss:// URL needs SecurityProfile 2 or 3`);
  }
  // A00.FR.205/304: the password is the AuthorizationKey as configured, i.e. its hexadecimal text;
  // Figure 1: "AUTHORIZATION: Basic <Base64 encoded(<ChargePointId>:<AuthorizationKey>)>".
  let password: string | undefined;
  if (profile === 1 || profile === 2) {
    if (!authorizationKey) return refuse(`SecurityProfile ${profile} needs an AuthorizationKey (whitepaper A00.FR.205), none is set`);
    password = authorizationKey;
  }
  if (!secure) return { ok: true, settings: { ...(password !== undefined ? { password } : {}), wsOpts: {} } };

  // A00.FR.307/411: verify the server's certification path against the installed root, not the OS
  // store; Node's default identity check covers A00.FR.308 (the name must match the host).
  if (!tls?.ca) return refuse(`SecurityProfile ${profile} needs a CentralSystemRootCertificate (tls.ca) to verify the CSMS (A00.FR.307)`);
  const wsOpts: Record<string, unknown> = { ca: tls.ca, rejectUnauthorized: true, minVersion: 'TLSv1.2' }; // A00.FR.312/416
  if (profile === 3) {
    // A00.FR.401/402: the Charge Point certificate is the TLS client certificate; no Basic auth.
    if (!tls.cert || !tls.key) return refuse('SecurityProfile 3 needs a ChargePointCertificate and its key (tls.cert, tls.key) (A00.FR.402)');
    wsOpts['cert'] = tls.cert;
    wsOpts['key'] = tls.key;
  }
  return { ok: true, settings: { ...(password !== undefined ? { password } : {}), wsOpts } };
}
