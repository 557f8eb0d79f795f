package logstore

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// sourceMeta names a container. It is replaced, never mutated, so a
// query may keep a pointer to it after releasing the catalog lock.
type sourceMeta struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Stack   string `json:"stack"`
	Service string `json:"service"`
}

// blockInfo is the catalog's entry for one stored block.
type blockInfo struct {
	seq  uint64
	size int // bytes of the encoded value
	blockHeader
}

// source is one container in the catalog.
type source struct {
	serial  uint32
	meta    *sourceMeta
	blocks  []blockInfo // in key order
	open    int         // blocks[open:] are small chunks still to be merged
	nextSeq uint64
	cur     cursor
}

// catalog is the in-memory index of every block, loaded at Open from
// the block headers. Queries plan from it without touching the disk;
// only the writer changes it, under Store.mu.
type catalog struct {
	byID       map[string]*source
	bySerial   map[uint32]*source
	nextSerial uint32
	bytes      int64
}

func blockKey(serial uint32, seq uint64) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint32(k, serial)
	binary.BigEndian.PutUint64(k[4:], seq)
	return k
}

func serialKey(serial uint32) []byte { return binary.BigEndian.AppendUint32(nil, serial) }

// loadCatalog reads the containers, cursors and block headers.
func loadCatalog(tx *bolt.Tx) (*catalog, error) {
	c := &catalog{byID: map[string]*source{}, bySerial: map[uint32]*source{}, nextSerial: 1}
	err := tx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
		meta := &sourceMeta{}
		if err := json.Unmarshal(v, meta); err != nil || len(k) != 4 {
			return fmt.Errorf("decoding container %x: %w", k, err)
		}
		src := &source{serial: binary.BigEndian.Uint32(k), meta: meta}
		src.cur = unmarshalCursor(tx.Bucket(bucketCursors).Get(k))
		c.byID[meta.ID], c.bySerial[src.serial] = src, src
		c.nextSerial = max(c.nextSerial, src.serial+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = tx.Bucket(bucketBlocks).ForEach(func(k, v []byte) error {
		h, _, err := readHeader(v)
		if err != nil || len(k) != 12 {
			return fmt.Errorf("reading block %x: %w", k, err)
		}
		src := c.bySerial[binary.BigEndian.Uint32(k)]
		if src == nil {
			return fmt.Errorf("block %x has no container", k)
		}
		seq := binary.BigEndian.Uint64(k[4:])
		src.blocks = append(src.blocks, blockInfo{seq: seq, size: len(v), blockHeader: h})
		src.open, src.nextSeq = len(src.blocks), seq+1
		c.bytes += int64(len(v))
		return nil
	})
	return c, err
}
