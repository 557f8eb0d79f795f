package logstore

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A block is the unit of storage: consecutive lines of one container,
// stored column by column so that a grep scans one contiguous text
// section and only decodes the lines it matched.
//
//	version  byte (blockVersion)
//	count    uvarint
//	textLen  uvarint: size of the text section, so a grep finds it at once
//	minT     int64, big-endian (ns)
//	maxT     int64, big-endian (ns)
//	levels   byte: bit c set when a line has level code c
//	times    count zigzag varints, each the delta to the previous (first: to minT)
//	meta     count bytes: level code (bits 0-2), stderr (bit 3), truncated (bit 4)
//	lengths  count uvarints
//	text     the lines, each followed by '\n'
const blockVersion = 1

const (
	metaLevelMask = 0x07
	metaStderr    = 0x08
	metaTruncated = 0x10
)

// rec is one line inside a block.
type rec struct {
	t    int64
	meta byte
	raw  []byte
}

// blockHeader is what the catalog keeps of every block.
type blockHeader struct {
	count      int
	textLen    int
	minT, maxT int64
	levels     byte
}

// encodeBlock serialises recs (at least one).
func encodeBlock(recs []rec) []byte {
	h := headerOf(recs)
	size := 1 + 10 + 16 + 1 + len(recs)*8
	for _, r := range recs {
		size += len(r.raw) + 1
	}
	b := make([]byte, 0, size)
	b = append(b, blockVersion)
	b = binary.AppendUvarint(b, uint64(h.count))
	b = binary.AppendUvarint(b, uint64(h.textLen))
	b = binary.BigEndian.AppendUint64(b, uint64(h.minT))
	b = binary.BigEndian.AppendUint64(b, uint64(h.maxT))
	b = append(b, h.levels)
	prev := h.minT
	for _, r := range recs {
		b = binary.AppendVarint(b, r.t-prev)
		prev = r.t
	}
	for _, r := range recs {
		b = append(b, r.meta)
	}
	for _, r := range recs {
		b = binary.AppendUvarint(b, uint64(len(r.raw)))
	}
	for _, r := range recs {
		b = append(b, r.raw...)
		b = append(b, '\n')
	}
	return b
}

func headerOf(recs []rec) blockHeader {
	h := blockHeader{count: len(recs), minT: recs[0].t, maxT: recs[0].t}
	for _, r := range recs {
		h.minT, h.maxT = min(h.minT, r.t), max(h.maxT, r.t)
		h.levels |= 1 << (r.meta & metaLevelMask)
		h.textLen += len(r.raw) + 1
	}
	return h
}

var errCorruptBlock = errors.New("corrupt log block")

// blockView is a decoded block whose text still points into the value it
// was read from (for bbolt: valid only inside the read transaction).
type blockView struct {
	blockHeader
	times  []int64
	meta   []byte
	starts []int // start offset of each line in text, plus len(text)
	text   []byte
}

// readHeader decodes only the fixed header, for the catalog.
func readHeader(b []byte) (blockHeader, []byte, error) {
	if len(b) < 1 || b[0] != blockVersion {
		return blockHeader{}, nil, fmt.Errorf("%w: version", errCorruptBlock)
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 {
		return blockHeader{}, nil, fmt.Errorf("%w: count", errCorruptBlock)
	}
	tl, k2 := binary.Uvarint(b[1+k:])
	rest := b[1+k+max(k2, 0):]
	if k2 <= 0 || len(rest) < 17 || n > uint64(len(b)) || tl > uint64(len(rest)) {
		return blockHeader{}, nil, fmt.Errorf("%w: header", errCorruptBlock)
	}
	h := blockHeader{
		count:   int(n),
		textLen: int(tl),
		minT:    int64(binary.BigEndian.Uint64(rest)),
		maxT:    int64(binary.BigEndian.Uint64(rest[8:])),
		levels:  rest[16],
	}
	return h, rest[17:], nil
}

// decodeBlock decodes the columns; text aliases b.
func decodeBlock(b []byte) (*blockView, error) {
	h, rest, err := readHeader(b)
	if err != nil {
		return nil, err
	}
	v := &blockView{blockHeader: h, times: make([]int64, h.count), starts: make([]int, h.count+1)}
	prev := h.minT
	for i := range v.times {
		d, k := binary.Varint(rest)
		if k <= 0 {
			return nil, fmt.Errorf("%w: times", errCorruptBlock)
		}
		prev += d
		v.times[i], rest = prev, rest[k:]
	}
	if len(rest) < h.count {
		return nil, fmt.Errorf("%w: meta", errCorruptBlock)
	}
	v.meta, rest = rest[:h.count], rest[h.count:]
	off := 0
	for i := 0; i < h.count; i++ {
		n, k := binary.Uvarint(rest)
		if k <= 0 {
			return nil, fmt.Errorf("%w: lengths", errCorruptBlock)
		}
		v.starts[i], rest = off, rest[k:]
		off += int(n) + 1
	}
	v.starts[h.count] = off
	if len(rest) != off {
		return nil, fmt.Errorf("%w: text is %d bytes, want %d", errCorruptBlock, len(rest), off)
	}
	v.text = rest
	return v, nil
}

// blockText is the text section of an encoded block, found from its
// header alone: the grep path scans it without decoding any column.
func blockText(b []byte) ([]byte, blockHeader, error) {
	h, _, err := readHeader(b)
	if err != nil {
		return nil, h, err
	}
	return b[len(b)-h.textLen:], h, nil
}

// raw is line i's text (without the '\n').
func (v *blockView) raw(i int) []byte { return v.text[v.starts[i] : v.starts[i+1]-1] }

// recs copies the lines out, for merging blocks.
func (v *blockView) recs() []rec {
	out := make([]rec, v.count)
	for i := range out {
		out[i] = rec{t: v.times[i], meta: v.meta[i], raw: v.raw(i)}
	}
	return out
}
