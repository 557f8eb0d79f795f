// Package logstore keeps the logs of berth's containers: a collector that
// follows every managed container's stdout and stderr through the Engine
// API, and an embedded store on bbolt (logs.db under the caller's data
// directory) that answers time-ordered, filtered queries and follows.
//
// # Storage
//
// Lines are stored in blocks, one container per block, under the key
// serial(4) seq(8) in the "blocks" bucket: serial numbers a container
// (the "sources" bucket maps it to its ID, name, stack and service) and
// seq grows with time, so a container's blocks are in time order. A
// block is columnar (see block.go): header with the line count, text
// size, time span and the set of levels present; then the times
// (zigzag-varint deltas), one meta byte per line (level, stream,
// truncated), the line lengths, and finally all the lines' text, each
// ended by '\n'. Only the raw text is stored: a JSON line's message and
// fields are parsed at query time, for the lines returned only, while
// the level is sniffed at ingest (cheaply, without a full JSON parse)
// because queries filter on it.
//
// The single writer goroutine batches Append calls into one transaction
// per BatchLines lines or BatchDelay. Each transaction writes, per
// container, a chunk of that batch's lines; small chunks are merged into
// one sealed block once they add up to BlockLines or BlockBytes (each
// line is written at most twice), and a big batch is written as sealed
// blocks at once. The container's resume cursor is written in the same
// transaction as its lines.
//
// # Queries
//
// An in-memory catalog of every block's header (loaded at Open from the
// values' first bytes) lets a query pick the blocks of the matching
// containers whose time span and level set fit, without reading them. The
// picked blocks are looked up in one read transaction and scanned by
// GOMAXPROCS workers straight from bbolt's memory map (no copy). A grep
// runs over a block's whole text section at once, not line by line, and
// decodes the block's columns only when it hits: a substring search
// jumps between occurrences of the pattern byte rarest in the stored
// text (bytes.IndexByte is vectorised) and compares the pattern there,
// falling back to bytes.Index when that byte proves common. A regexp
// uses its literal prefix the same way and runs only on the lines that
// contain it (without a prefix, on every line: slower). On the 2-core
// development machine, over 10 million lines of ~105 bytes (1 GiB of
// blocks, in the page cache) a selective grep took 50-170 ms and one
// returning 100,000 lines about 0.45 s (scripts/bench-logs.sh). With a
// Limit, blocks are read newest first and reading stops once the workers
// hold Limit lines newer than any block left. Results are merged by
// time; ties keep each container's order.
//
// Follow subscribes to the writer: after each commit the lines matching
// a follower's filter go to its buffered channel, and a follower too slow
// to keep up is cut off rather than slowing the writer.
//
// # Retention
//
// Between transactions the writer deletes whole blocks whose newest line
// is older than MaxAge, then the oldest blocks until the stored bytes fit
// MaxBytes. bbolt reuses the freed pages; the file does not shrink.
//
// # Collection
//
// The Collector re-lists its targets every Interval and on Refresh and
// runs one follower per container: ContainerLogs with Follow and
// Timestamps, demultiplexed (the stdcopy format, without moving the
// buffer after every frame), split into lines. A follower that has
// caught up waits 5 ms before its next read after a short one, so a busy
// log comes many lines per read rather than one (the engine flushes
// every line) and the CPU goes to the engine producing them. Lines longer
// than MaxLineBytes are cut and marked Truncated (the engine's own split
// of lines over 16 KiB is undone first); invalid UTF-8 becomes U+FFFD.
//
// Resuming loses and duplicates nothing: per container and stream the
// store keeps the time of the newest stored line and how many stored
// lines carry exactly that time, committed with the lines. A follower
// asks the engine for lines since the oldest of the stream cursors (less
// two seconds, as the engine stamps stdout and stderr on separate
// goroutines) and drops every line the cursor covers. Within a process,
// the cursor of lines queued but not yet committed is used, so a
// restarted follower does not read them twice.
//
// A token bucket per container (RateLimit lines per second of the
// container's own log time, so a backlog read after a restart drops what
// a live read would have) drops and counts (Dropped) the excess of a
// flooding container, which therefore cannot crowd the others out of the
// store's queue. The queue is bounded (QueueLines): when the store falls
// behind, Append blocks, the follower stops reading and the engine holds
// the rest, so memory stays bounded.
//
// Lines dropped by the rate limit after the last stored line of a
// container are read again after a restart, and may then be stored.
//
// On the 2-core development machine, 50 containers each printing 40,000
// lines of ~100 bytes, started first and released at once, were stored
// at about 118,000 lines/s (from release until every line was stored,
// counted per container), the engine taking some 60% of the CPU; a fresh
// store catching up on the same finished logs read 165,000 lines/s
// (scripts/bench-logs.sh).
package logstore
