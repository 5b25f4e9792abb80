package demo_test

import (
	"testing"

	"touchbase/demo"
)

// TestBaseURL: the printed links follow the address serve listens on
// (--http, --https, domain arguments), in a form a person can open.
func TestBaseURL(t *testing.T) {
	cases := []struct {
		addr    string
		tls     bool
		domains []string
		want    string
	}{
		{"127.0.0.1:8090", false, nil, "http://127.0.0.1:8090"}, // serve's default
		{"127.0.0.1:9000", false, nil, "http://127.0.0.1:9000"},
		{"192.0.2.10:8080", false, nil, "http://192.0.2.10:8080"},
		{"0.0.0.0:8090", false, nil, "http://127.0.0.1:8090"}, // every interface: open it here
		{":8090", false, nil, "http://127.0.0.1:8090"},
		{"[::]:8090", false, nil, "http://127.0.0.1:8090"},
		{"[::1]:8090", false, nil, "http://[::1]:8090"},
		{"crm.example.com:80", false, nil, "http://crm.example.com"},
		{"", false, nil, "http://127.0.0.1"},
		{"0.0.0.0:443", true, []string{"crm.example.com", "www.crm.example.com"}, "https://crm.example.com"},
		{"127.0.0.1:8443", true, nil, "https://127.0.0.1:8443"},
		{"0.0.0.0:443", true, nil, "https://127.0.0.1"},
	}
	for _, c := range cases {
		if got := demo.BaseURL(c.addr, c.tls, c.domains); got != c.want {
			t.Errorf("BaseURL(%q, %v, %v) = %q, want %q", c.addr, c.tls, c.domains, got, c.want)
		}
	}
	if demo.PageURL != demo.DefaultBaseURL+"/" || demo.DashboardURL != demo.DefaultBaseURL+"/_/" {
		t.Errorf("PageURL %q and DashboardURL %q do not follow DefaultBaseURL %q", demo.PageURL, demo.DashboardURL, demo.DefaultBaseURL)
	}
}
