// A real OpenID Connect provider (panva's oidc-provider) on loopback, for the single sign-on
// tests. Configuration is JSON in the OIDC_TEST_CONFIG environment variable:
//   {"client": {"client_id", "client_secret", "redirect_uris"},
//    "accounts": {"<login>": {"email", "email_verified", "name"}}}
// It listens on a free port of 127.0.0.1 and prints "issuer <url>" once it answers.
// Sign-in uses the package's development interactions: a form taking any login (an account
// of the configuration) and any password, then a consent form.
import http from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const server = http.createServer();

server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        ...config.client,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    cookies: { keys: ["post-test-cookie-key"] },
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, id) {
      const account = config.accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
  });
  server.on("request", provider.callback());
  console.log(`issuer ${issuer}`);
});
