package oathkeeper

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The example OP's service user that may use the client_credentials grant.
const (
	clientID     = "sid1"
	clientSecret = "verysecret"
)

// idp is the tutorial's identity provider: the OP of zitadel/oidc's example/server (its exampleop
// router, its in-memory storage and the library's op package), run in-process and served over TLS
// on loopback. In-process rather than the example's binary because of opStorage below; TLS
// because the APIRule CRD only accepts https:// (or file://) jwks_urls.
type idp struct {
	server  *httptest.Server
	storage opStorage
	issuer  string
	caFile  string // PEM of the server's certificate, for Oathkeeper to trust (SSL_CERT_FILE)
}

// opStorage is the example storage with the two changes the tutorial needs:
//   - its service user sid1 gets JWT access tokens; the example issues it opaque ones, which
//     Oathkeeper's jwt authenticator cannot verify;
//   - granted scopes are asserted as the token's "scope" claim, as IdPs such as Kyma's do and as
//     Oathkeeper's required_scope checks; the example only reports them in the token response.
//
// Everything else (client authentication, token minting, signing, JWKS) is the library's code.
type opStorage struct {
	*storage.Storage
}

func (s opStorage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	client, err := s.Storage.ClientCredentials(ctx, id, secret)
	if err != nil {
		return nil, err
	}
	return jwtClient{client}, nil
}

func (s opStorage) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	claims, err := s.Storage.GetPrivateClaimsFromScopes(ctx, userID, clientID, scopes)
	if err != nil || len(scopes) == 0 {
		return claims, err
	}
	if claims == nil {
		claims = map[string]any{}
	}
	claims["scope"] = strings.Join(scopes, " ")
	return claims, nil
}

// jwtClient is an example client whose access tokens are JWTs.
type jwtClient struct {
	op.Client
}

func (jwtClient) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeJWT
}

// startIDP serves the OP on a loopback port; its log goes to dir/idp.log.
func startIDP(dir string) (*idp, error) {
	logFile, err := os.Create(filepath.Join(dir, "idp.log"))
	if err != nil {
		return nil, err
	}
	srv := httptest.NewUnstartedServer(nil)
	issuer := "https://" + srv.Listener.Addr().String() + "/"
	st := opStorage{storage.NewStorage(storage.NewUserStore(issuer))}
	srv.Config.Handler = exampleop.SetupServer(issuer, st, slog.New(slog.NewTextHandler(logFile, nil)), false)
	srv.StartTLS()

	caFile := filepath.Join(dir, "idp-ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, certPEM, 0o644); err != nil {
		srv.Close()
		return nil, err
	}
	return &idp{server: srv, storage: st, issuer: issuer, caFile: caFile}, nil
}

// discovery is the part of the OpenID discovery document the tutorial uses.
type discovery struct {
	Issuer        string `json:"issuer"`
	TokenEndpoint string `json:"token_endpoint"`
	JWKSURI       string `json:"jwks_uri"`
}

// discover reads /.well-known/openid-configuration, the tutorial's first step.
func (p *idp) discover(t *testing.T) discovery {
	t.Helper()
	resp, err := p.server.Client().Get(strings.TrimSuffix(p.issuer, "/") + "/.well-known/openid-configuration")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var d discovery
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&d))
	require.Equal(t, p.issuer, d.Issuer)
	require.NotEmpty(t, d.TokenEndpoint)
	require.NotEmpty(t, d.JWKSURI)
	return d
}

// clientCredentialsToken gets an access token from the token endpoint as the tutorial does:
// POST grant_type=client_credentials with the client's Basic credentials, optionally asking
// for scope.
func (p *idp) clientCredentialsToken(t *testing.T, d discovery, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequest(http.MethodPost, d.TokenEndpoint, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, clientSecret)
	resp, err := p.server.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, "Bearer", body.TokenType)
	require.Len(t, strings.Split(body.AccessToken, "."), 3, "the access token must be a JWT")
	return body.AccessToken
}

// expiredToken returns a token of this OP that expired a minute ago. It is minted by
// op.CreateJWT, the function the token endpoint itself calls, with the OP's storage and signing
// key, for the same client and request; only the expiry differs. Asking the token endpoint for a
// short-lived token instead would need the example's fixed 5-minute lifetime changed and the test
// to sleep past it.
func (p *idp) expiredToken(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	client, err := p.storage.ClientCredentials(ctx, clientID, clientSecret)
	require.NoError(t, err)
	request, err := p.storage.ClientCredentialsTokenRequest(ctx, clientID, nil)
	require.NoError(t, err)
	token, err := op.CreateJWT(ctx, p.issuer, request, time.Now().Add(-time.Minute), "e2e-expired", client, p.storage)
	require.NoError(t, err)
	return token
}

// resignWithForeignKey returns token's header key id and claims signed by a fresh RSA key the
// OP never published: a token that is well-formed and names the OP's key, but is not the OP's.
func resignWithForeignKey(t *testing.T, token string) string {
	t.Helper()
	parsed, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	require.NoError(t, err)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", parsed.Signatures[0].Header.KeyID)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	require.NoError(t, err)
	forged, err := signer.Sign(parsed.UnsafePayloadWithoutVerification())
	require.NoError(t, err)
	compact, err := forged.CompactSerialize()
	require.NoError(t, err)
	return compact
}
