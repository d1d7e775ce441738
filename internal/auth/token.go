package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every API token, so that leaked tokens are easy to search for.
const TokenPrefix = "zx_"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns 32 random bytes in base32: a session id or the body of an API token.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS has no entropy: nothing is safe to do
	}
	return strings.ToLower(b32.EncodeToString(b))
}

// HashSecret is what the database stores for a session id or token: a copy of the
// database alone does not let anyone log in.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// CSRFToken binds a form token to a session (or to the anonymous pre-login cookie) with the
// server's secret, so that no other site can produce it.
func CSRFToken(serverSecret, binding string) string {
	m := hmac.New(sha256.New, []byte(serverSecret))
	m.Write([]byte("csrf\x00" + binding))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// CheckCSRF compares a submitted token with the expected one in constant time.
func CheckCSRF(serverSecret, binding, got string) bool {
	if got == "" || binding == "" {
		return false
	}
	return hmac.Equal([]byte(CSRFToken(serverSecret, binding)), []byte(got))
}
