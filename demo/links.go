package demo

import (
	"net"
	"strings"
)

// DefaultBaseURL is where `serve` listens without --http.
const DefaultBaseURL = "http://127.0.0.1:8090"

// URLs of serve's default address, for the demo command, which prints the
// credentials before any server runs.
const (
	PageURL      = DefaultBaseURL + "/"
	DashboardURL = DefaultBaseURL + "/_/"
)

// BaseURL is the address a person opens for a server listening on addr
// (http.Server.Addr: --http, or --https with tls), without a trailing
// slash. With certificate domains it is the first of them, as PocketBase's
// own banner says. A host that means "every interface" (empty, 0.0.0.0,
// ::) cannot be opened in a browser everywhere, so it is shown as
// 127.0.0.1, which reaches the server from the machine it runs on; the
// scheme's default port is left out.
func BaseURL(addr string, tls bool, domains []string) string {
	scheme, defaultPort := "http", "80"
	if tls {
		scheme, defaultPort = "https", "443"
	}
	if len(domains) > 0 && domains[0] != "" {
		return scheme + "://" + domains[0]
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "" // no port: the scheme's default
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	if port == "http" || port == "https" || port == defaultPort {
		port = ""
	}
	if port == "" {
		if strings.Contains(host, ":") {
			return scheme + "://[" + host + "]"
		}
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
