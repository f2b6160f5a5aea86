import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { isRole, type Role } from './roles.js';

/** Who a verified token says the caller is. */
export interface TokenClaims {
  username: string;
  role: Role;
  /** The user's token version when the token was made; a reset password or role change bumps it. */
  version: number;
  /** Random token id; the CSRF token of a browser session is derived from it. */
  jti: string;
}

/** Signs and checks the API's JWTs (HS256) and the CSRF tokens of browser sessions. */
export interface TokenService {
  issue(user: { username: string; role: Role; version: number }): Promise<{ token: string; jti: string; expiresIn: number }>;
  /** The claims of a valid, unexpired token of this server, else null. */
  verify(token: string): Promise<TokenClaims | null>;
  /** The CSRF token that goes with a session's token id. */
  csrfFor(jti: string): string;
  /** Whether `candidate` is the CSRF token of `jti` (constant-time). */
  checkCsrf(jti: string, candidate: string): boolean;
}

const ISSUER = 'updraft';

/** Tokens whose signature was checked; a signature check costs more than the rest of a small request. */
const VERIFIED_CACHE_SIZE = 10_000;

export function createTokenService(secret: Uint8Array, ttlSeconds: number, now: () => Date): TokenService {
  // Only signature and claims are cached: revocation (token version) and expiry are checked on every request.
  const verified = new Map<string, { claims: TokenClaims; expiresAt: number }>();
  const csrfFor = (jti: string) => createHmac('sha256', secret).update(`csrf:${jti}`).digest('base64url');
  return {
    async issue(user) {
      const jti = randomBytes(16).toString('base64url');
      const iat = Math.floor(now().getTime() / 1000);
      const token = await new SignJWT({ role: user.role, ver: user.version })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.username)
        .setIssuer(ISSUER)
        .setJti(jti)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(secret);
      return { token, jti, expiresIn: ttlSeconds };
    },
    async verify(token) {
      const cached = verified.get(token);
      if (cached) return cached.expiresAt > now().getTime() ? cached.claims : null;
      try {
        const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], issuer: ISSUER, currentDate: now() });
        const { sub, role, ver, jti, exp } = payload;
        if (typeof sub !== 'string' || !isRole(role) || typeof ver !== 'number' || typeof jti !== 'string' || typeof exp !== 'number') return null;
        const claims = { username: sub, role, version: ver, jti };
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
        verified.set(token, { claims, expiresAt: exp * 1000 });
        return claims;
      } catch {
        return null;
      }
    },
    csrfFor,
    checkCsrf(jti, candidate) {
      const expected = Buffer.from(csrfFor(jti));
      const given = Buffer.from(candidate);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
