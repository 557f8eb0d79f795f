// Command chatty is the log generator behind logstore's integration
// tests and benchmark, built into a FROM scratch image by the tests.
// Every line carries its sequence number so a test can count exactly
// which lines were stored.
//
//	-n 1000        lines to print (then exit, or sleep with -hold)
//	-rate 0        lines per second (0: as fast as possible)
//	-json          print JSON lines ({"level":..,"msg":..,"seq":..})
//	-stderr 0      print every k-th line to stderr (0: none)
//	-pad 40        bytes of padding text per line
//	-long 0        print one line of this many bytes first (seq=-1)
//	-hold          keep running after the last line
//	-wait PATH     print nothing until the file PATH exists (polled every
//	               millisecond), so a benchmark can start many containers
//	               first and release them all at once
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 1000, "lines to print")
	rate := flag.Float64("rate", 0, "lines per second, 0 for as fast as possible")
	asJSON := flag.Bool("json", false, "print JSON lines")
	stderrEvery := flag.Int("stderr", 0, "print every k-th line to stderr")
	pad := flag.Int("pad", 40, "padding bytes per line")
	long := flag.Int("long", 0, "print one line of this many bytes first")
	hold := flag.Bool("hold", false, "keep running after the last line")
	wait := flag.String("wait", "", "print nothing until this file exists")
	flag.Parse()

	if *wait != "" {
		for {
			if _, err := os.Stat(*wait); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}

	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	errOut := bufio.NewWriterSize(os.Stderr, 64<<10)
	if *long > 0 {
		fmt.Fprintf(out, "seq=-1 %s\n", strings.Repeat("L", *long))
	}
	padding := strings.Repeat("x", *pad)
	start := time.Now()
	for i := 0; i < *n; i++ {
		w := out
		if *stderrEvery > 0 && i%*stderrEvery == 0 {
			w = errOut
		}
		if *asJSON {
			fmt.Fprintf(w, "{\"level\":\"%s\",\"msg\":\"chatty line\",\"seq\":%d,\"pad\":\"%s\"}\n", level(i), i, padding)
		} else {
			fmt.Fprintf(w, "%s chatty seq=%d %s\n", strings.ToUpper(level(i)), i, padding)
		}
		if *rate > 0 {
			// Flush and pace: line i is due at i/rate seconds.
			out.Flush()
			errOut.Flush()
			if d := time.Duration(float64(i+1)/(*rate)*1e9) - time.Since(start); d > 0 {
				time.Sleep(d)
			}
		}
	}
	out.Flush()
	errOut.Flush()
	for *hold { // select{} would be a deadlock the runtime reports and exits on
		time.Sleep(time.Hour)
	}
}

func level(i int) string {
	if i%10 == 9 {
		return "error"
	}
	return "info"
}
