package docker

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

	"github.com/berth-dev/berth/internal/spec"
)

const testDir = "/srv/demo"

var testLabels = map[string]string{"dev.berth.stack": "demo", "dev.berth.service": "web", "team": "berth"}

func TestCreateRequest(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string // substring; empty means success
		// mutate edits the loaded service, for values compose-go refuses.
		mutate func(svc *spec.Service)
		check  func(t *testing.T, p createPlan)
	}{
		{
			name: "basics",
			yaml: `
services:
  web:
    image: nginx:1.27
    command: ["nginx", "-g", "daemon off;"]
    entrypoint: /docker-entrypoint.sh
    environment:
      B: "2"
      A: "1"
      UNSET:
    labels:
      team: web
      tier: front
    user: "101:101"
    working_dir: /app
    hostname: web1
    domainname: example.test
    stop_signal: SIGQUIT
    stop_grace_period: 1500ms
    tty: true
    stdin_open: true
    init: true
    read_only: true
    privileged: true
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    restart: always
`,
			check: func(t *testing.T, p createPlan) {
				c, h := p.Options.Config, p.Options.HostConfig
				eq(t, "name", p.Options.Name, "demo-web-1")
				eq(t, "image", c.Image, "nginx:1.27")
				eq(t, "cmd", c.Cmd, []string{"nginx", "-g", "daemon off;"})
				eq(t, "entrypoint", c.Entrypoint, []string{"/docker-entrypoint.sh"})
				eq(t, "env", c.Env, []string{"A=1", "B=2"})
				eq(t, "labels", c.Labels, map[string]string{"team": "berth", "tier": "front", "dev.berth.stack": "demo", "dev.berth.service": "web"})
				eq(t, "user", c.User, "101:101")
				eq(t, "workdir", c.WorkingDir, "/app")
				eq(t, "hostname", c.Hostname+"."+c.Domainname, "web1.example.test")
				eq(t, "stop signal", c.StopSignal, "SIGQUIT")
				eq(t, "stop timeout (rounded up)", *c.StopTimeout, 2)
				eq(t, "tty/stdin", c.Tty && c.OpenStdin, true)
				eq(t, "init", *h.Init, true)
				eq(t, "read only", h.ReadonlyRootfs, true)
				eq(t, "privileged", h.Privileged, true)
				eq(t, "cap_add", h.CapAdd, []string{"NET_ADMIN"})
				eq(t, "cap_drop", h.CapDrop, []string{"ALL"})
				eq(t, "security_opt", h.SecurityOpt, []string{"no-new-privileges:true"})
				eq(t, "restart policy", h.RestartPolicy.Name, container.RestartPolicyDisabled)
			},
		},
		{
			name: "ports with host ip, protocol, ranges and expose",
			yaml: `
services:
  web:
    image: nginx
    ports:
      - "127.0.0.1:8080:80"
      - "[::1]:8443:443/tcp"
      - "5353:53/udp"
      - "9000-9002:9000-9002"
      - "3000"
      - target: 81
        published: "8081"
        host_ip: 0.0.0.0
        protocol: tcp
    expose: ["7000", "7100-7101/udp"]
`,
			check: func(t *testing.T, p createPlan) {
				b := p.Options.HostConfig.PortBindings
				eq(t, "80/tcp", b[network.MustParsePort("80/tcp")], []network.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "8080"}})
				eq(t, "443/tcp", b[network.MustParsePort("443/tcp")], []network.PortBinding{{HostIP: netip.MustParseAddr("::1"), HostPort: "8443"}})
				eq(t, "53/udp", b[network.MustParsePort("53/udp")], []network.PortBinding{{HostPort: "5353"}})
				eq(t, "9001/tcp", b[network.MustParsePort("9001/tcp")], []network.PortBinding{{HostPort: "9001"}})
				eq(t, "3000/tcp ephemeral", b[network.MustParsePort("3000/tcp")], []network.PortBinding{{HostPort: ""}})
				eq(t, "81/tcp", b[network.MustParsePort("81/tcp")], []network.PortBinding{{HostIP: netip.MustParseAddr("0.0.0.0"), HostPort: "8081"}})
				exp := p.Options.Config.ExposedPorts
				for _, port := range []string{"80/tcp", "443/tcp", "53/udp", "9000/tcp", "9002/tcp", "7000/tcp", "7100/udp", "7101/udp"} {
					if _, ok := exp[network.MustParsePort(port)]; !ok {
						t.Errorf("port %s not exposed: %v", port, exp)
					}
				}
				if _, ok := b[network.MustParsePort("7000/tcp")]; ok {
					t.Errorf("expose-only port 7000 was published")
				}
			},
		},
		{
			name: "volumes of each kind",
			yaml: `
services:
  web:
    image: nginx
    volumes:
      - data:/var/lib/data
      - ./conf:/etc/nginx/conf.d:ro
      - /var/cache
      - type: bind
        source: /srv/must-exist
        target: /must
        bind:
          create_host_path: false
      - type: tmpfs
        target: /scratch
        tmpfs:
          size: 64m
      - type: volume
        source: shared
        target: /shared
        read_only: true
        volume:
          nocopy: true
    tmpfs: ["/run", "/tmp:size=10m,mode=1777"]
volumes:
  data: {}
  shared:
    external: true
    name: shared-outside
`,
			check: func(t *testing.T, p createPlan) {
				h := p.Options.HostConfig
				eq(t, "binds", h.Binds, []string{testDir + "/conf:/etc/nginx/conf.d:ro"})
				eq(t, "mounts", h.Mounts, []mount.Mount{
					{Type: mount.TypeVolume, Source: "demo_data", Target: "/var/lib/data"},
					{Type: mount.TypeVolume, Target: "/var/cache"},
					{Type: mount.TypeBind, Source: "/srv/must-exist", Target: "/must", BindOptions: &mount.BindOptions{}},
					{Type: mount.TypeTmpfs, Target: "/scratch", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 64 << 20}},
					{Type: mount.TypeVolume, Source: "shared-outside", Target: "/shared", ReadOnly: true, VolumeOptions: &mount.VolumeOptions{NoCopy: true}},
				})
				eq(t, "tmpfs", h.Tmpfs, map[string]string{"/run": "", "/tmp": "size=10m,mode=1777"})
			},
		},
		{
			name: "secrets and configs",
			yaml: `
services:
  web:
    image: nginx
    secrets:
      - token
      - source: cert
        target: tls.pem
    configs:
      - site
      - source: extra
        target: /etc/extra.conf
secrets:
  token: {file: ./secrets/token.txt}
  cert: {file: /etc/ssl/cert.pem}
configs:
  site: {file: ./site.conf}
  extra: {file: ./extra.conf}
`,
			check: func(t *testing.T, p createPlan) {
				eq(t, "mounts", p.Options.HostConfig.Mounts, []mount.Mount{
					{Type: mount.TypeBind, Source: testDir + "/secrets/token.txt", Target: "/run/secrets/token", ReadOnly: true},
					{Type: mount.TypeBind, Source: "/etc/ssl/cert.pem", Target: "/run/secrets/tls.pem", ReadOnly: true},
					{Type: mount.TypeBind, Source: testDir + "/site.conf", Target: "/site", ReadOnly: true},
					{Type: mount.TypeBind, Source: testDir + "/extra.conf", Target: "/etc/extra.conf", ReadOnly: true},
				})
			},
		},
		{
			name: "healthcheck",
			yaml: `
services:
  web:
    image: nginx
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost"]
      interval: 10s
      timeout: 2s
      start_period: 30s
      start_interval: 1s
      retries: 5
`,
			check: func(t *testing.T, p createPlan) {
				eq(t, "healthcheck", *p.Options.Config.Healthcheck, container.HealthConfig{
					Test:          []string{"CMD", "curl", "-f", "http://localhost"},
					Interval:      10 * time.Second,
					Timeout:       2 * time.Second,
					StartPeriod:   30 * time.Second,
					StartInterval: time.Second,
					Retries:       5,
				})
			},
		},
		{
			name: "healthcheck shell string",
			yaml: `
services:
  web:
    image: nginx
    healthcheck:
      test: curl -f http://localhost || exit 1
`,
			check: func(t *testing.T, p createPlan) {
				eq(t, "test", p.Options.Config.Healthcheck.Test, []string{"CMD-SHELL", "curl -f http://localhost || exit 1"})
			},
		},
		{
			name: "healthcheck disabled",
			yaml: `
services:
  web:
    image: nginx
    healthcheck:
      disable: true
`,
			check: func(t *testing.T, p createPlan) {
				eq(t, "test", p.Options.Config.Healthcheck.Test, []string{"NONE"})
			},
		},
		{
			name: "deploy resources win over service-level fields",
			yaml: `
services:
  web:
    image: nginx
    cpu_shares: 512
    memswap_limit: 2g
    deploy:
      resources:
        limits:
          cpus: "0.1"
          memory: 256M
          pids: 100
        reservations:
          memory: 64M
`,
			// compose-go refuses distinct values in the file; a merged or
			// hand-built service can still carry both.
			mutate: func(svc *spec.Service) {
				svc.Config.CPUS, svc.Config.MemLimit, svc.Config.PidsLimit = 2, 1<<30, 50
			},
			check: func(t *testing.T, p createPlan) {
				r := p.Options.HostConfig.Resources
				eq(t, "nano cpus", r.NanoCPUs, int64(100_000_000))
				eq(t, "memory", r.Memory, int64(256<<20))
				eq(t, "reservation", r.MemoryReservation, int64(64<<20))
				eq(t, "pids", *r.PidsLimit, int64(100))
				eq(t, "cpu shares", r.CPUShares, int64(512))
				eq(t, "memswap", r.MemorySwap, int64(2<<30))
			},
		},
		{
			name: "service-level resources",
			yaml: `
services:
  web:
    image: nginx
    cpus: 1.5
    mem_limit: 512m
    mem_reservation: 128m
    shm_size: 256m
`,
			check: func(t *testing.T, p createPlan) {
				h := p.Options.HostConfig
				eq(t, "nano cpus", h.NanoCPUs, int64(1_500_000_000))
				eq(t, "memory", h.Memory, int64(512<<20))
				eq(t, "reservation", h.MemoryReservation, int64(128<<20))
				eq(t, "shm", h.ShmSize, int64(256<<20))
			},
		},
		{
			name: "default network",
			yaml: `
services:
  web:
    image: nginx
`,
			check: func(t *testing.T, p createPlan) {
				eq(t, "mode", p.Options.HostConfig.NetworkMode, container.NetworkMode("demo_default"))
				eq(t, "endpoints", p.Options.NetworkingConfig.EndpointsConfig, map[string]*network.EndpointSettings{
					"demo_default": {Aliases: []string{"web"}},
				})
				eq(t, "extra", len(p.Extra), 0)
			},
		},
		{
			name: "networks with aliases, address and priority",
			yaml: `
services:
  web:
    image: nginx
    networks:
      back:
        aliases: [api, web]
        ipv4_address: 172.28.0.10
      front:
        priority: 100
      mid: {}
networks:
  front: {}
  back:
    ipam:
      config: [{subnet: 172.28.0.0/16}]
  mid:
    name: custom-mid
`,
			check: func(t *testing.T, p createPlan) {
				eq(t, "mode", p.Options.HostConfig.NetworkMode, container.NetworkMode("demo_front"))
				eq(t, "first endpoint", p.Options.NetworkingConfig.EndpointsConfig, map[string]*network.EndpointSettings{
					"demo_front": {Aliases: []string{"web"}},
				})
				eq(t, "extra", p.Extra, []networkAttachment{
					{Network: "demo_back", Endpoint: &network.EndpointSettings{
						Aliases:    []string{"web", "api"},
						IPAMConfig: &network.EndpointIPAMConfig{IPv4Address: netip.MustParseAddr("172.28.0.10")},
					}},
					{Network: "custom-mid", Endpoint: &network.EndpointSettings{Aliases: []string{"web"}}},
				})
			},
		},
		{
			name: "network_mode host",
			yaml: `
services:
  web:
    image: nginx
    network_mode: host
`,
			check: func(t *testing.T, p createPlan) {
				eq(t, "mode", p.Options.HostConfig.NetworkMode, container.NetworkMode("host"))
				if p.Options.NetworkingConfig != nil || len(p.Extra) > 0 {
					t.Errorf("host mode got endpoints: %+v %+v", p.Options.NetworkingConfig, p.Extra)
				}
			},
		},
		{
			name: "host settings",
			yaml: `
services:
  web:
    image: nginx
    dns: [1.1.1.1, "2606:4700::1111"]
    dns_search: [example.test]
    dns_opt: [ndots:2]
    extra_hosts: ["db:10.0.0.5", "cache=10.0.0.6"]
    devices: ["/dev/fuse:/dev/fuse:rwm", "/dev/null"]
    ulimits:
      nofile: {soft: 1024, hard: 2048}
      nproc: 512
    sysctls: {net.core.somaxconn: "1024"}
    ipc: shareable
    pid: host
    group_add: [audio]
    oom_score_adj: -100
    logging:
      driver: json-file
      options: {max-size: 10m}
`,
			check: func(t *testing.T, p createPlan) {
				h := p.Options.HostConfig
				eq(t, "dns", h.DNS, []netip.Addr{netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("2606:4700::1111")})
				eq(t, "dns search", h.DNSSearch, []string{"example.test"})
				eq(t, "dns opt", h.DNSOptions, []string{"ndots:2"})
				eq(t, "extra hosts", h.ExtraHosts, []string{"cache:10.0.0.6", "db:10.0.0.5"})
				eq(t, "devices", h.Devices, []container.DeviceMapping{
					{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"},
					{PathOnHost: "/dev/null", PathInContainer: "/dev/null", CgroupPermissions: "rwm"},
				})
				eq(t, "ulimits", h.Ulimits, []*container.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "nproc", Soft: 512, Hard: 512}})
				eq(t, "sysctls", h.Sysctls, map[string]string{"net.core.somaxconn": "1024"})
				eq(t, "ipc/pid", string(h.IpcMode)+"/"+string(h.PidMode), "shareable/host")
				eq(t, "group add", h.GroupAdd, []string{"audio"})
				eq(t, "oom", h.OomScoreAdj, -100)
				eq(t, "logging", h.LogConfig, container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "10m"}})
			},
		},
		{
			name: "network_mode service is not supported yet",
			yaml: `
services:
  db:
    image: postgres
  web:
    image: nginx
    network_mode: service:db
`,
			wantErr: `service "web": networks: network_mode "service:db": sharing another service's network namespace is not supported`,
		},
		{
			name: "environment-based secret is refused",
			yaml: `
services:
  web:
    image: nginx
    secrets: [token]
secrets:
  token: {environment: TOKEN}
`,
			wantErr: `service "web": secrets: secret "token": only file-based`,
		},
		{
			name: "bad host ip",
			yaml: `
services:
  web:
    image: nginx
    ports: ["8080:80"]
`,
			mutate:  func(svc *spec.Service) { svc.Config.Ports[0].HostIP = "localhost" },
			wantErr: `service "web": ports: port 80: host_ip "localhost"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := loadTestStack(t, testDir, tt.yaml)
			svc := testService(t, st, "web")
			if tt.mutate != nil {
				tt.mutate(svc)
			}
			plan, err := createRequest(st, svc, "demo-web-1", testLabels)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("createRequest: %v", err)
			}
			tt.check(t, plan)
		})
	}
}

// eq fails the test when got differs from want.
func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}
