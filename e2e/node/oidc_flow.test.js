// End-to-end test of EntryKeyID with a relying-party library we did not
// write: openid-client (an OpenID-certified RP), driven through Debian's
// Chromium with playwright-core. It is started by the Go test
// TestNodeOpenIDClient in internal/e2e, which runs the identity provider and
// passes, in the environment:
//
//   ISSUER         the issuer URL (http://127.0.0.1:PORT)
//   CLIENT_ID      a confidential client registered for REDIRECT_URI
//   CLIENT_SECRET  its secret
//   REDIRECT_URI   http://127.0.0.1:PORT/cb; this test listens there
//   USERNAME       an active account's email address
//   PASSWORD       its password
//
// The flow: discovery, an authorization URL with PKCE (S256), state and
// nonce, the hosted identity-first screens in a real browser, the code
// exchange (openid-client checks the ID token's signature against the JWKS
// and its claims), userinfo, a refresh that rotates the refresh token, and a
// replay of the old refresh token that must be refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as client from 'openid-client';
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `environment variable ${name} must be set (run through go test ./internal/e2e)`);
  return v;
};

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

// listenForCallback serves the redirect URI and resolves with the full URL
// of the first request that reaches its path.
function listenForCallback(redirectURI) {
  const target = new URL(redirectURI);
  let resolveURL;
  const received = new Promise((resolve) => { resolveURL = resolve; });
  const server = http.createServer((req, res) => {
    const got = new URL(req.url, `${target.protocol}//${target.host}`);
    if (got.pathname !== target.pathname) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in');
    resolveURL(got);
  });
  const ready = new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(target.port), target.hostname, resolve);
  });
  return { server, ready, received };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

test('openid-client signs in through the hosted screens, reads userinfo and refreshes', { timeout: 120_000 }, async (t) => {
  const issuer = env('ISSUER');
  const clientID = env('CLIENT_ID');
  const clientSecret = env('CLIENT_SECRET');
  const redirectURI = env('REDIRECT_URI');
  const username = env('USERNAME');
  const password = env('PASSWORD');

  // Discovery. The issuer is plain http on loopback, which openid-client
  // refuses unless told otherwise.
  const config = await client.discovery(
    new URL(issuer),
    clientID,
    { redirect_uris: [redirectURI] },
    client.ClientSecretBasic(clientSecret),
    { execute: [client.allowInsecureRequests] },
  );
  assert.equal(config.serverMetadata().issuer, issuer);
  // Verify the ID token's signature against the JWKS, not only its claims.
  client.enableNonRepudiationChecks(config);

  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authURL = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectURI,
    scope: 'openid email profile offline_access',
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  });

  const callback = listenForCallback(redirectURI);
  await callback.ready;
  t.after(() => callback.server.close());

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);

  // Screen 1 (identify): username only.
  await page.goto(authURL.href);
  await page.waitForSelector('main[data-screen="identify"]');
  await page.fill('input[name="username"]', username);
  await page.click('#submit');

  // Screen 2 (password).
  await page.waitForSelector('main[data-screen="password"]');
  await page.fill('input[name="password"]', password);
  await page.click('#submit');

  const currentURL = await withTimeout(callback.received, 20_000, 'the redirect to ' + redirectURI);
  assert.equal(currentURL.searchParams.get('state'), state);
  assert.ok(currentURL.searchParams.get('code'), 'the redirect carries a code');

  // Code exchange: openid-client checks state, PKCE, the ID token's
  // signature (enableNonRepudiationChecks), iss, aud, exp, iat and nonce.
  const tokens = await client.authorizationCodeGrant(config, currentURL, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.ok(claims, 'an ID token was returned');
  assert.equal(claims.iss, issuer);
  assert.ok([].concat(claims.aud).includes(clientID), 'aud holds the client id');
  assert.equal(claims.nonce, nonce);
  assert.ok(claims.sub, 'sub is set');
  assert.ok(claims.sid, 'sid (the session id) is set');
  assert.ok(tokens.access_token, 'an access token was returned');
  assert.ok(tokens.refresh_token, 'a refresh token was returned (offline_access)');

  // Userinfo: openid-client checks that sub matches the ID token's.
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(userinfo.sub, claims.sub);
  assert.equal(String(userinfo.email).toLowerCase(), username.toLowerCase());

  // Refresh: a new refresh token (rotation) and a new access token.
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token, 'refresh returned an access token');
  assert.ok(refreshed.refresh_token, 'refresh returned a refresh token');
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'the refresh token rotated');
  const again = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
  assert.equal(again.sub, claims.sub);

  // The used refresh token is refused.
  await assert.rejects(
    client.refreshTokenGrant(config, tokens.refresh_token),
    (err) => {
      assert.equal(err.error, 'invalid_grant', `want invalid_grant, got ${err.error ?? err}`);
      return true;
    },
  );
});
