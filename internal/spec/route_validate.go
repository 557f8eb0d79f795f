package spec

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// validateRoutes checks each route on its own; routes against each other
// are checkRouteConflicts' job, once the whole stack is known.
func validateRoutes(routes []Route) *LoadError {
	for i, r := range routes {
		if err := validateRoute(r); err != nil {
			err.Field = fmt.Sprintf("x-berth.routes.%d%s", i, err.Field)
			err.at = append([]string{extensionKey, "routes", strconv.Itoa(i)}, err.at...)
			return err
		}
	}
	return nil
}

// validateRoute returns an error whose Field and at are relative to the
// route (".port", ["port"]).
func validateRoute(r Route) *LoadError {
	switch {
	case r.Port == 0:
		return routeError("port", "is required: the container port traffic goes to", "add e.g. `port: 8080`")
	case r.Port < 1 || r.Port > 65535:
		return routeError("port", fmt.Sprintf("must be between 1 and 65535 (got %d)", r.Port),
			"the container port traffic goes to, e.g. `port: 8080`")
	case r.Protocol != "" && r.Protocol != ProtocolHTTP && r.Protocol != ProtocolTCP:
		return routeError("protocol", fmt.Sprintf("unknown protocol %q", r.Protocol), "use http or tcp")
	}
	if r.Listen != "" {
		if _, err := parseListen(r.Listen); err != nil {
			return routeError("listen", err.Error(),
				`use host:port with an IP address or localhost, e.g. "127.0.0.1:8080", or ":8080" for every interface`)
		}
	}
	if r.Protocol == ProtocolTCP {
		return validateTCPRoute(r)
	}
	return validateHTTPRoute(r)
}

// validateTCPRoute refuses what only HTTP can match on: a TCP stream has
// no Host header or path, and TLS is terminated for HTTP only.
func validateTCPRoute(r Route) *LoadError {
	const hint = "remove it, or use protocol: http"
	switch {
	case r.Host != "":
		return routeError("host", "is not allowed on a tcp route", hint)
	case r.Path != "":
		return routeError("path", "is not allowed on a tcp route", hint)
	case r.TLS != nil:
		return routeError("tls", "is not allowed on a tcp route", hint)
	}
	return nil
}

func validateHTTPRoute(r Route) *LoadError {
	switch {
	case r.Path != "" && !strings.HasPrefix(r.Path, "/"):
		return routeError("path", fmt.Sprintf("must start with / (got %q)", r.Path), "a path prefix, e.g. `path: /api`")
	case !validHost(r.Host):
		return routeError("host", fmt.Sprintf("must be a bare host name (got %q)", r.Host),
			"the Host header is matched without port or path, e.g. app.example.com or *.example.com")
	case r.TLS != nil && r.TLS.Cert == "":
		return routeError("tls.cert", "is required with tls", "name the PEM certificate file")
	case r.TLS != nil && r.TLS.Key == "":
		return routeError("tls.key", "is required with tls", "name the PEM private key file")
	}
	return nil
}

// validHost accepts what a Host header holds without its port: a name,
// *.name, an IPv4 address or a bracketed IPv6 one.
func validHost(h string) bool {
	if inner, ok := strings.CutPrefix(h, "["); ok && strings.HasSuffix(inner, "]") {
		return net.ParseIP(strings.TrimSuffix(inner, "]")) != nil
	}
	return !strings.ContainsAny(h, "/:[] \t")
}

func routeError(field, msg, hint string) *LoadError {
	return &LoadError{Field: "." + field, Msg: msg, Hint: hint, at: splitDots(field)}
}

// listenAddr is a parsed listen address. Any is true for every interface
// ("", 0.0.0.0, ::), which overlaps every other address on the same port.
type listenAddr struct {
	Host string // normalised: an IP's canonical form, or "localhost"
	Port int
	Any  bool
}

// parseListen parses host:port. The host must be empty, an IP address or
// localhost: the load balancer binds it, and a name that resolves
// differently later would move the listener.
func parseListen(s string) (listenAddr, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return listenAddr{}, fmt.Errorf("invalid listen address %q: must be host:port", s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return listenAddr{}, fmt.Errorf("invalid listen address %q: port must be between 1 and 65535", s)
	}
	a := listenAddr{Port: n}
	switch ip := net.ParseIP(host); {
	case host == "":
		a.Any = true
	case ip != nil:
		a.Host, a.Any = ip.String(), ip.IsUnspecified()
	case strings.EqualFold(host, "localhost"):
		a.Host = "localhost"
	default:
		return listenAddr{}, fmt.Errorf("invalid listen address %q: host must be an IP address or localhost", s)
	}
	return a, nil
}
