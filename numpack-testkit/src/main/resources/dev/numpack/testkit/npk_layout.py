#!/usr/bin/env python3
"""A second, independent implementation of the NumPack 0.7 on-disk layout, in Python + NumPy.

Written from /work/shared/NUMPACK-FORMAT.md and upstream's readers (binary_metadata.rs,
deletion_bitmap.rs, parallel_io.rs), never from the Java code it checks. The real NumPack package
cannot be installed here, so this script stands in for it: it writes stores the way NumPack 0.7
does and reads stores the way NumPack 0.7 reads them, refusing what NumPack 0.7 would choke on.

Subcommands
  write  STORE SPEC.json          write a store described by SPEC (see below)
  expect SPEC.json OUTDIR         the logical arrays SPEC describes, as OUTDIR/<name>.npy
  dump   STORE OUTDIR             read any store, write each array's logical rows as .npy
  model  SPEC.json OPS.json OUTDIR  the logical arrays after applying OPS to SPEC's arrays (NumPy
                                  model of append/delete/replace/compact/drop/save), plus the operand
                                  rows each op uses, for another implementation to replay
  take   OUTDIR TAKES.json        NumPy fancy indexing: for {"name": [indices]} writes
                                  OUTDIR/<name>.take.raw = load(<name>.npy)[indices]

Every output directory gets <name>.npy (numpy.save), <name>.raw (the same elements as raw C-order
little-endian bytes, for readers without a .npy parser), index.json and index.tsv (one line per
fact, tab separated, for readers without a JSON parser):
  store   total_size   <u64>   array_count   <u32>
  array   <name> <dtype> <logical shape> <physical shape> <size_bytes> <deleted rows>
          <bitmap: none|header|legacy> <segment rows: -|r0,r1,..> <data bytes on disk> <data_file>
  note    <name> <text>         (things upstream handles badly that are not format errors)
  extra   <path>                (files in the store that no record references)
  operand <index> <dtype> <shape>   (model only: operands/op_<index>.raw)
Shapes are comma-separated, "" for 0-d.

SPEC.json
  {"shuffle_seed": 7,                       # order of the metadata records (arbitrary upstream)
   "arrays": [{"name": "a", "dtype": "float32", "shape": [10, 3], "seed": 1,
               "deleted": [0, 9],           # physical rows marked deleted in the bitmap
               "bitmap": "header",          # or "legacy" (words only); default header when deleted
               "bitmap_always": false,      # write a bitmap even with nothing deleted
               "segment_rows": [3, 4, 3],   # split into segment files of these row counts
               "manifest_style": "pretty",  # "pretty" (upstream serde to_vec_pretty) or "compact"
               "block_info": false,         # write a has_block_info=1 record (upstream tolerates)
               "dtype_code": null,          # override the stored dtype byte (to make bad stores)
               "data_file": null,           # override the stored data_file string (bad stores)
               "compression": 0,            # the stored compression byte (bad stores)
               "upstream_append": 0}]}      # the last N rows were appended by NumPack 0.7 after the
                                            # deletes: its bitmap is extended the way upstream does it

Exit status: 0 on success, 2 with a message on stderr when a store is invalid or upstream would
misread it, 1 on bad usage.
"""

import json
import math
import os
import random
import struct
import sys
import time

import numpy as np

MAGIC = 0x424B504E          # b"NPKB" read as a little-endian u32
VERSION = 1
BITMAP_HEADER_BYTES = 16    # u64 total_rows + u64 deleted_count

# dtype code -> NumPy name; the codes are the on-disk `dtype` byte of a metadata record.
DTYPES = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
          "float16", "float32", "float64", "complex64", "complex128"]
CODE_OF = {name: code for code, name in enumerate(DTYPES)}

# Files this project's Java writer keeps beside the NumPack files; upstream ignores them.
KNOWN_FOREIGN = {".numpack.lock"}


class LayoutError(Exception):
    """A store that breaks the layout, or that NumPack 0.7 would misread or fail on."""


def le_dtype(name):
    """The little-endian NumPy dtype of a NumPack type name (the files are always little-endian)."""
    return np.dtype(name).newbyteorder("<")


def prod(shape):
    return int(math.prod(shape)) if shape else 1


# ----------------------------------------------------------------------------- values

# Bit patterns the reader must copy verbatim: NaNs with payloads, signalling NaNs and negative NaNs
# are where a reader that converts through floating point (instead of copying bytes) goes wrong.
FLOAT_SPECIALS = {
    2: [0x7E00, 0x7C00, 0xFC00, 0x8000, 0x0001, 0x7BFF, 0x7E01, 0x7C01, 0xFE00],
    4: [0x7FC00000, 0x7F800000, 0xFF800000, 0x80000000, 0x00000001, 0x7F7FFFFF, 0x7FC00001,
        0x7F800001, 0xFFC00000],
    8: [0x7FF8000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0x8000000000000000,
        0x0000000000000001, 0x7FEFFFFFFFFFFFFF, 0x7FF8000000000001, 0x7FF0000000000001,
        0xFFF8000000000000],
}
UINT_OF_WIDTH = {2: "<u2", 4: "<u4", 8: "<u8"}


def float_values(width, n, rng, seed):
    """n floats of `width` bytes: random normals, then some special bit patterns at random places."""
    ftype = le_dtype({2: "float16", 4: "float32", 8: "float64"}[width])
    scale = 100.0 if width == 2 else 1000.0
    vals = (rng.standard_normal(n) * scale).astype(ftype)
    if n == 0:
        return vals
    specials = FLOAT_SPECIALS[width]
    k = min(len(specials), max(1, n // 2))
    start = seed % len(specials)  # different arrays get different specials first
    chosen = [specials[(start + i) % len(specials)] for i in range(k)]
    where = rng.permutation(n)[:k]
    bits = vals.view(UINT_OF_WIDTH[width])  # write bits, never go through float arithmetic
    bits[where] = np.array(chosen, dtype=UINT_OF_WIDTH[width])
    return vals


def make_values(dtype_name, shape, seed):
    """The array a spec entry describes: deterministic in (dtype, shape, seed), C order."""
    dt = le_dtype(dtype_name)
    n = prod(shape)
    rng = np.random.default_rng(seed)
    if dtype_name == "bool":
        flat = rng.integers(0, 2, n).astype(np.bool_)
    elif dt.kind in "iu":
        # Random bytes cover the whole range; pin the extremes so they are always present.
        flat = rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).view(dt).copy()
        info = np.iinfo(dt)
        if n >= 1:
            flat[0] = info.min
        if n >= 2:
            flat[-1] = info.max
    elif dt.kind == "f":
        flat = float_values(dt.itemsize, n, rng, seed)
    elif dt.kind == "c":
        # real, imaginary, real, ... : specials land in either component
        flat = float_values(dt.itemsize // 2, 2 * n, rng, seed).view(dt)
    else:
        raise LayoutError("unsupported dtype " + dtype_name)
    return flat.reshape(tuple(shape))


def c_bytes(arr):
    """Raw little-endian C-order bytes, the layout of data files."""
    return np.ascontiguousarray(arr).tobytes(order="C")


# ----------------------------------------------------------------------------- metadata

def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def string(s):
    b = s.encode("utf-8")
    return u32(len(b)) + b


def encode_record(name, shape, data_file, code, size_bytes, modified_us, block_info, compression=0):
    out = [string(name), u32(len(shape))]
    out += [u64(d) for d in shape]
    out += [string(data_file), u64(modified_us), u64(size_bytes), bytes([code]),
            bytes([compression]),  # upstream 0.7 always writes 0 (none)
            u32(0), u64(0), u64(0)]  # level, original_size, compressed_size
    if block_info:
        # has_block_info=1, enabled=0, block_size, num_blocks, n entries of (offset, orig, comp)
        out += [bytes([1]), bytes([0]), u64(65536), u64(2), u32(2)]
        out += [u64(0), u64(size_bytes), u64(size_bytes), u64(size_bytes), u64(0), u64(0)]
    else:
        out.append(bytes([0]))
    return b"".join(out)


def encode_metadata(records, total_size):
    """records: already encoded, in file order."""
    return u32(MAGIC) + u32(VERSION) + u64(total_size) + u32(len(records)) + b"".join(records)


class Reader:
    """A bounds-checked cursor over the metadata bytes: a truncated file is an error, never a crash."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n, what):
        if n > len(self.data) - self.pos:
            raise LayoutError("metadata.npkm truncated at %s: needs %d bytes, %d left"
                              % (what, n, len(self.data) - self.pos))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self, what):
        return self.take(1, what)[0]

    def u32(self, what):
        return struct.unpack("<I", self.take(4, what))[0]

    def u64(self, what):
        return struct.unpack("<Q", self.take(8, what))[0]

    def string(self, what):
        n = self.u32(what + " length")
        raw = self.take(n, what)
        try:
            return raw.decode("utf-8")  # upstream: String::from_utf8, an error on bad bytes
        except UnicodeDecodeError:
            raise LayoutError(what + " is not valid UTF-8")


def decode_metadata(data):
    """Parses metadata.npkm like upstream's BinaryMetadataStore::load, but refusing (instead of
    guessing) everything upstream would misread."""
    r = Reader(data)
    magic = r.u32("magic")
    if magic != MAGIC:
        # upstream treats a bad magic as an empty store and overwrites it at close: data loss
        raise LayoutError("bad magic 0x%08X" % magic)
    version = r.u32("version")
    if version != VERSION:
        raise LayoutError("metadata version %d is not %d" % (version, VERSION))
    total_size = r.u64("total_size")
    count = r.u32("array_count")
    records = []
    for i in range(count):
        where = "record %d" % i
        name = r.string(where + " name")
        where = "record %d (%r)" % (i, name)
        ndim = r.u32(where + " ndim")
        if ndim > 64:
            raise LayoutError(where + ": ndim %d" % ndim)
        shape = [r.u64(where + " shape") for _ in range(ndim)]
        data_file = r.string(where + " data_file")
        modified = r.u64(where + " last_modified")
        size_bytes = r.u64(where + " size_bytes")
        code = r.u8(where + " dtype")
        compression = r.u8(where + " compression")
        level = r.u32(where + " level")
        original_size = r.u64(where + " original_size")
        compressed_size = r.u64(where + " compressed_size")
        has_blocks = r.u8(where + " has_block_info")
        if has_blocks == 1:
            r.take(1 + 8 + 8, where + " block info")
            n = r.u32(where + " block count")
            r.take(24 * n, where + " block entries")
        elif has_blocks != 0:
            raise LayoutError(where + ": has_block_info is %d" % has_blocks)
        if code >= len(DTYPES):
            # upstream silently decodes an unknown code as int32 and returns garbage
            raise LayoutError(where + ": unknown dtype code %d" % code)
        if compression != 0:
            # upstream 0.7 maps data files raw: compressed bytes would come back as elements
            raise LayoutError(where + ": compression %d (only 0 is readable)" % compression)
        dtype = DTYPES[code]
        expected = prod(shape) * le_dtype(dtype).itemsize
        if size_bytes != expected:
            raise LayoutError(where + ": size_bytes %d, shape and dtype need %d" % (size_bytes, expected))
        records.append({"name": name, "shape": shape, "data_file": data_file, "modified": modified,
                        "size_bytes": size_bytes, "dtype": dtype, "level": level,
                        "original_size": original_size, "compressed_size": compressed_size,
                        "block_info": has_blocks == 1})
    if r.pos != len(data):
        raise LayoutError("%d trailing bytes after %d records" % (len(data) - r.pos, count))
    names = [rec["name"] for rec in records]
    if len(set(names)) != len(names):
        # upstream keeps them in a HashMap: the last one silently wins
        raise LayoutError("an array is recorded twice: %r" % sorted(names))
    # total_size is not checked: upstream keeps it incrementally (saturating) and never reads it back,
    # so a drifted value harms nobody. It is reported as stored; writers under test are held to the sum.
    return total_size, records


# ----------------------------------------------------------------------------- paths

def check_name(name):
    """Upstream joins `deleted_<name>.npkb` to the store unchecked; such names escape it."""
    if not name or "/" in name or "\\" in name or any(ord(c) < 32 for c in name):
        raise LayoutError("unsafe array name %r" % name)


def inside(store, relative, what):
    """Resolves a path stored in a store file; upstream joins them unchecked (../ escapes)."""
    parts = relative.split("/")
    if (not relative or relative.startswith("/") or "\\" in relative
            or any(p in ("", ".", "..") for p in parts)):
        raise LayoutError("%s: stored path %r is not a plain relative path" % (what, relative))
    path = os.path.realpath(os.path.join(store, relative))
    if not path.startswith(os.path.realpath(store) + os.sep):
        raise LayoutError("%s: stored path %r leaves the store" % (what, relative))
    return path


# ----------------------------------------------------------------------------- bitmaps

def bitmap_words(total_rows, deleted):
    """Bit (row % 64) of word (row / 64) is 1 for a live row; bits past the last row stay 0."""
    live = np.ones(total_rows, dtype=bool)
    live[list(deleted)] = False
    words = np.zeros((total_rows + 63) // 64, dtype="<u8")
    for row in np.flatnonzero(live):
        words[row // 64] |= np.uint64(1) << np.uint64(row % 64)
    return words


def encode_bitmap(total_rows, deleted, layout):
    words = bitmap_words(total_rows, deleted)
    body = words.tobytes()
    if layout == "legacy":
        return body  # what NumPack wrote before the header existed
    n_deleted = total_rows - int(sum(bin(int(w)).count("1") for w in words))
    return u64(total_rows) + u64(n_deleted) + body


def upstream_extended_bitmap(total_rows, deleted, appended):
    """The bitmap file NumPack 0.7 leaves after deleting rows of an array of (total_rows - appended)
    rows and then appending `appended` rows (ParallelIO append + DeletionBitmap::extend + save).

    extend() ORs the new rows' bits into the old last word, grows the word vector with all-ones words,
    and then *assigns* the tail mask to the new last word. When the append stays within the old last
    word, that assignment also revives the deleted rows of that word, while deleted_count (written in
    the header) keeps counting them: the header then disagrees with the bits."""
    old_total = total_rows - appended
    words = [int(w) for w in bitmap_words(old_total, deleted)]
    n_deleted = len(set(deleted))
    new_total = old_total + appended
    if old_total % 64:
        words[-1] |= ~((1 << (old_total % 64)) - 1) & (2 ** 64 - 1)
    new_words = (new_total + 63) // 64
    words += [2 ** 64 - 1] * (new_words - len(words))
    if new_total % 64:
        words[-1] = (1 << (new_total % 64)) - 1
    return u64(new_total) + u64(n_deleted) + b"".join(u64(w) for w in words)


def decode_bitmap(data, rows, name):
    """Returns (live mask, layout). Accepts only files that the spec and upstream read alike."""
    n_words = (rows + 63) // 64
    if len(data) == BITMAP_HEADER_BYTES + 8 * n_words:
        spec_layout = "header"
    elif len(data) == 8 * n_words:
        spec_layout = "legacy"
    else:
        raise LayoutError("%s: bitmap of %d bytes fits no layout for %d rows" % (name, len(data), rows))
    # Upstream (DeletionBitmap::load) refuses files under 16 bytes, then calls a file "headered"
    # when its size matches the row count in its own first word, whatever the metadata says.
    if len(data) < 16:
        raise LayoutError("%s: bitmap of %d bytes: upstream refuses files under 16 bytes" % (name, len(data)))
    first = struct.unpack("<Q", data[:8])[0]
    upstream_layout = "header" if len(data) == 16 + 8 * ((first + 63) // 64) else "legacy"
    if upstream_layout != spec_layout:
        raise LayoutError("%s: %s bitmap that upstream would read as %s" % (name, spec_layout, upstream_layout))
    words = np.frombuffer(data, dtype="<u8", offset=16 if spec_layout == "header" else 0)
    rows_idx = np.arange(rows, dtype=np.uint64)
    live = ((words[rows_idx // np.uint64(64)] >> (rows_idx % np.uint64(64))) & np.uint64(1)).astype(bool) \
        if rows else np.zeros(0, dtype=bool)
    # bits past the last row must be 0
    if rows % 64 and int(words[-1]) >> (rows % 64):
        raise LayoutError("%s: bitmap has bits set past row %d" % (name, rows))
    if spec_layout == "header":
        total, n_deleted = struct.unpack("<QQ", data[:16])
        if total != rows:
            raise LayoutError("%s: bitmap counts %d rows, metadata %d" % (name, total, rows))
        if n_deleted != rows - int(live.sum()):
            # upstream trusts this count for the logical row count: a wrong one breaks shapes
            raise LayoutError("%s: bitmap header says %d deleted, bits say %d"
                              % (name, n_deleted, rows - int(live.sum())))
    return live, spec_layout


# ----------------------------------------------------------------------------- segments

def encode_manifest(segments, style):
    doc = {"version": 1, "segments": segments}
    if style == "compact":
        return json.dumps(doc, separators=(",", ":"))
    return json.dumps(doc, indent=2)  # the layout of serde_json::to_vec_pretty, which upstream uses


def read_segments(store, rec, row_bytes):
    """The data of a segmented array, as upstream's load_array assembles it."""
    name = rec["name"]
    path = inside(store, rec["data_file"], name)
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
    except FileNotFoundError:
        raise LayoutError("%s: manifest %s is missing" % (name, rec["data_file"]))
    except (ValueError, UnicodeDecodeError) as e:
        raise LayoutError("%s: manifest is not JSON: %s" % (name, e))

    def is_uint(v):
        return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2 ** 64

    # upstream deserializes into {version: u32, segments: [{file, rows: u64, bytes: u64}]}
    if not isinstance(doc, dict) or not is_uint(doc.get("version")) or not isinstance(doc.get("segments"), list):
        raise LayoutError("%s: manifest is not {version, segments}" % name)
    if doc["version"] != 1:
        raise LayoutError("%s: manifest version %r" % (name, doc["version"]))
    chunks, seg_rows = [], []
    for i, s in enumerate(doc["segments"]):
        if not (isinstance(s, dict) and isinstance(s.get("file"), str) and is_uint(s.get("rows"))
                and is_uint(s.get("bytes"))):
            raise LayoutError("%s: segment %d needs string file, unsigned rows and bytes" % (name, i))
        if s["bytes"] != s["rows"] * row_bytes:
            raise LayoutError("%s: segment %d has %d bytes for %d rows of %d bytes"
                              % (name, i, s["bytes"], s["rows"], row_bytes))
        seg_rows.append(s["rows"])
        seg_path = inside(store, s["file"], name)
        if s["rows"] == 0:
            continue  # upstream does not even open an empty segment
        try:
            with open(seg_path, "rb") as f:
                b = f.read()
        except FileNotFoundError:
            raise LayoutError("%s: segment %s is missing" % (name, s["file"]))
        if len(b) < s["bytes"]:
            raise LayoutError("%s: segment %s has %d bytes, needs %d" % (name, s["file"], len(b), s["bytes"]))
        chunks.append(b[:s["bytes"]])
    data = b"".join(chunks)
    if len(data) != rec["size_bytes"]:
        raise LayoutError("%s: segments hold %d bytes, metadata %d" % (name, len(data), rec["size_bytes"]))
    return data, seg_rows, [s["file"] for s in doc["segments"]]


# ----------------------------------------------------------------------------- write

def load_json(path):
    with open(path, "r", encoding="utf-8") as f:
        return json.load(f)


def cmd_write(store, spec_path):
    spec = load_json(spec_path)
    os.makedirs(store, exist_ok=True)
    records, total = [], 0
    for a in spec["arrays"]:
        name, dtype, shape = a["name"], a["dtype"], list(a["shape"])
        values = make_values(dtype, shape, a.get("seed", 0))
        data = c_bytes(values)
        seg_rows = a.get("segment_rows")
        if seg_rows is not None:
            # data_<name>.npkseg + data_<name>_segments/seg_NNNNNN.npkd, split on row boundaries
            if sum(seg_rows) != shape[0]:
                raise LayoutError("%s: segment_rows %r do not sum to %d" % (name, seg_rows, shape[0]))
            row_bytes = len(data) // shape[0] if shape[0] else 0
            os.makedirs(os.path.join(store, "data_%s_segments" % name), exist_ok=True)
            entries, row = [], 0
            for i, n in enumerate(seg_rows):
                rel = "data_%s_segments/seg_%06d.npkd" % (name, i)
                with open(os.path.join(store, rel), "wb") as f:
                    f.write(data[row * row_bytes:(row + n) * row_bytes])
                entries.append({"file": rel, "rows": n, "bytes": n * row_bytes})
                row += n
            data_file = "data_%s.npkseg" % name
            with open(os.path.join(store, data_file), "w", encoding="utf-8") as f:
                f.write(encode_manifest(entries, a.get("manifest_style", "pretty")))
        else:
            data_file = "data_%s.npkd" % name
            with open(os.path.join(store, data_file), "wb") as f:
                f.write(data)
        deleted = a.get("deleted", [])
        if a.get("upstream_append"):
            with open(os.path.join(store, "deleted_%s.npkb" % name), "wb") as f:
                f.write(upstream_extended_bitmap(shape[0], deleted, a["upstream_append"]))
        elif deleted or a.get("bitmap_always"):
            with open(os.path.join(store, "deleted_%s.npkb" % name), "wb") as f:
                f.write(encode_bitmap(shape[0], deleted, a.get("bitmap", "header")))
        code = a.get("dtype_code")
        code = CODE_OF[dtype] if code is None else code
        modified = int(time.time() * 1e6) - random.Random(a.get("seed", 0)).randrange(10 ** 9)
        stored_file = a.get("data_file") or data_file
        records.append(encode_record(name, shape, stored_file, code, len(data), modified,
                                     a.get("block_info", False), a.get("compression", 0)))
        total += len(data)
    # NumPack writes its HashMap in arbitrary order: a reader must not depend on record order
    random.Random(spec.get("shuffle_seed", 0)).shuffle(records)
    tmp = os.path.join(store, "metadata.npkm.tmp.%d_1_%d" % (os.getpid(), time.time_ns()))
    with open(tmp, "wb") as f:
        f.write(encode_metadata(records, total))
    os.replace(tmp, os.path.join(store, "metadata.npkm"))  # upstream: temp file + rename


# ----------------------------------------------------------------------------- outputs

def shape_str(shape):
    return ",".join(str(int(d)) for d in shape)


class Output:
    """Collects arrays and facts, then writes <name>.npy/.raw, index.json and index.tsv."""

    def __init__(self, outdir):
        self.outdir = outdir
        os.makedirs(outdir, exist_ok=True)
        self.arrays = {}
        self.notes = []
        self.extra = []
        self.operands = []
        self.store = {"total_size": None, "array_count": None}

    def add(self, name, arr, physical_shape, size_bytes, deleted, bitmap, seg_rows, disk_bytes, data_file):
        np.save(os.path.join(self.outdir, name + ".npy"), arr, allow_pickle=False)
        with open(os.path.join(self.outdir, name + ".raw"), "wb") as f:
            f.write(c_bytes(arr))
        self.arrays[name] = {"dtype": str(arr.dtype.name), "shape": list(arr.shape),
                             "physical_shape": list(physical_shape), "size_bytes": size_bytes,
                             "deleted": deleted, "bitmap": bitmap, "segment_rows": seg_rows,
                             "disk_bytes": disk_bytes, "data_file": data_file}

    def add_operand(self, index, arr):
        os.makedirs(os.path.join(self.outdir, "operands"), exist_ok=True)
        with open(os.path.join(self.outdir, "operands", "op_%d.raw" % index), "wb") as f:
            f.write(c_bytes(arr))
        self.operands.append((index, arr.dtype.name, list(arr.shape)))

    def finish(self):
        with open(os.path.join(self.outdir, "index.json"), "w", encoding="utf-8") as f:
            json.dump({"store": self.store, "arrays": self.arrays, "notes": self.notes,
                       "extra_files": self.extra,
                       "operands": [{"index": i, "dtype": d, "shape": s} for i, d, s in self.operands]},
                      f, indent=1, sort_keys=True)
        lines = ["store\ttotal_size\t%s\tarray_count\t%s" % (self.store["total_size"], self.store["array_count"])]
        for name in sorted(self.arrays):
            a = self.arrays[name]
            segs = "-" if a["segment_rows"] is None else shape_str(a["segment_rows"])
            lines.append("\t".join(["array", name, a["dtype"], shape_str(a["shape"]),
                                    shape_str(a["physical_shape"]), str(a["size_bytes"]), str(a["deleted"]),
                                    a["bitmap"] or "none", segs, str(a["disk_bytes"]), a["data_file"]]))
        lines += ["note\t%s\t%s" % n for n in self.notes]
        lines += ["extra\t%s" % p for p in self.extra]
        lines += ["operand\t%d\t%s\t%s" % (i, d, shape_str(s)) for i, d, s in self.operands]
        with open(os.path.join(self.outdir, "index.tsv"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


# ----------------------------------------------------------------------------- expect

def spec_arrays(spec):
    """name -> (logical array, physical shape, deleted count, bitmap layout, segment rows)."""
    out = {}
    for a in spec["arrays"]:
        shape = list(a["shape"])
        full = make_values(a["dtype"], shape, a.get("seed", 0))
        deleted = sorted(set(a.get("deleted", [])))
        logical = np.delete(full, deleted, axis=0) if deleted else full
        has_bitmap = bool(deleted) or a.get("bitmap_always", False)
        out[a["name"]] = (logical, shape, len(deleted), a.get("bitmap", "header") if has_bitmap else None,
                          a.get("segment_rows"))
    return out


def cmd_expect(spec_path, outdir):
    spec = load_json(spec_path)
    out = Output(outdir)
    total = 0
    for name, (logical, shape, n_deleted, bitmap, segs) in spec_arrays(spec).items():
        size = prod(shape) * logical.dtype.itemsize
        total += size
        data_file = ("data_%s.npkseg" if segs is not None else "data_%s.npkd") % name
        out.add(name, logical, shape, size, n_deleted, bitmap, segs, size, data_file)
    out.store = {"total_size": total, "array_count": len(spec["arrays"])}
    out.finish()


# ----------------------------------------------------------------------------- dump

def journal_committed(store):
    path = os.path.join(store, "numpack.journal")
    if not os.path.exists(path):
        return False
    with open(path, "rb") as f:
        return f.read(4) == b"NPJ1"


def cmd_dump(store, outdir):
    if not os.path.isdir(store):
        raise LayoutError("no store directory " + store)
    meta_path = os.path.join(store, "metadata.npkm")
    if journal_committed(store):
        # Not upstream's: a Java commit in flight (the journal starts with its magic 'NPJ1'; a cleared
        # one has zeros there). Upstream would read the old metadata while new data files may already
        # be in place, so a store handed over must not have a committed journal.
        raise LayoutError("numpack.journal holds a commit: it is unfinished")
    if not os.path.exists(meta_path):
        total_size, records = 0, []  # upstream: no metadata file is an empty store
    else:
        with open(meta_path, "rb") as f:
            total_size, records = decode_metadata(f.read())
    out = Output(outdir)
    out.store = {"total_size": total_size, "array_count": len(records)}
    referenced = {"metadata.npkm"}
    for rec in records:
        name, shape, dtype = rec["name"], rec["shape"], le_dtype(rec["dtype"])
        check_name(name)
        row_bytes = prod(shape[1:]) * dtype.itemsize if shape else dtype.itemsize
        referenced.add(rec["data_file"])
        if rec["data_file"].endswith(".npkseg"):
            data, seg_rows, seg_files = read_segments(store, rec, row_bytes)
            referenced.update(seg_files)
            disk = sum(os.path.getsize(os.path.join(store, p)) for p in seg_files
                       if os.path.exists(os.path.join(store, p)))
        else:
            path = inside(store, rec["data_file"], name)
            try:
                with open(path, "rb") as f:
                    raw = f.read()
            except FileNotFoundError:
                # upstream maps the file even when it is empty: a missing one is an error
                raise LayoutError("%s: data file %s is missing" % (name, rec["data_file"]))
            if len(raw) < rec["size_bytes"]:
                raise LayoutError("%s: data file has %d bytes, metadata needs %d"
                                  % (name, len(raw), rec["size_bytes"]))
            data, seg_rows, disk = raw[:rec["size_bytes"]], None, len(raw)
        full = np.frombuffer(data, dtype=dtype).reshape(tuple(shape))
        if rec["dtype"] == "bool" and full.size and full.view(np.uint8).max() > 1:
            raise LayoutError("%s: bool element that is not 0 or 1" % name)
        bitmap_rel = "deleted_%s.npkb" % name
        bitmap_path = os.path.join(store, bitmap_rel)
        layout, n_deleted, logical = None, 0, full
        if os.path.exists(bitmap_path):
            referenced.add(bitmap_rel)
            if not shape:
                raise LayoutError("%s: deletion bitmap for a 0-d array" % name)
            with open(bitmap_path, "rb") as f:
                live, layout = decode_bitmap(f.read(), shape[0], name)
            n_deleted = int((~live).sum())
            logical = full[live]
        if not shape:
            out.notes.append((name, "0-d array: upstream 0.7 load_array indexes shape[0] and panics"))
        out.add(name, np.array(logical), shape, rec["size_bytes"], n_deleted, layout, seg_rows, disk,
                rec["data_file"])
    # Files nobody references: harmless to upstream, but a writer should not leave litter.
    for root, dirs, files in os.walk(store):
        for fn in files:
            rel = os.path.relpath(os.path.join(root, fn), store).replace(os.sep, "/")
            if rel not in referenced:
                out.extra.append(rel)
    out.extra.sort()
    out.finish()


# ----------------------------------------------------------------------------- model

def cmd_model(spec_path, ops_path, outdir):
    """NumPy model of NumPack's operations on logical rows. Deleted rows are simply gone from the
    model: physical layout (bitmaps, segments) is the implementation's business, and the store
    it produces is checked against this with `dump`."""
    spec = load_json(spec_path)
    ops = load_json(ops_path)["ops"]
    arrays = {name: v[0] for name, v in spec_arrays(spec).items()}
    out = Output(outdir)
    for i, op in enumerate(ops):
        kind, name = op["op"], op["name"]
        if kind == "append":
            cur = arrays[name]
            rows = make_values(cur.dtype.name, [op["rows"]] + list(cur.shape[1:]), op["seed"])
            out.add_operand(i, rows)
            arrays[name] = np.concatenate([cur, rows], axis=0)
        elif kind == "delete":
            arrays[name] = np.delete(arrays[name], op["indices"], axis=0)  # negatives count from the end
        elif kind == "replace":
            cur = arrays[name].copy()
            rows = make_values(cur.dtype.name, [len(op["indices"])] + list(cur.shape[1:]), op["seed"])
            out.add_operand(i, rows)
            cur[np.array(op["indices"], dtype=np.int64)] = rows
            arrays[name] = cur
        elif kind == "compact":
            pass  # logical rows do not change
        elif kind == "drop":
            del arrays[name]
        elif kind == "save":
            rows = make_values(op["dtype"], op["shape"], op["seed"])
            out.add_operand(i, rows)
            arrays[name] = rows
        else:
            raise LayoutError("unknown op " + kind)
    for name, arr in arrays.items():
        size = arr.size * arr.dtype.itemsize
        out.add(name, arr, list(arr.shape), size, 0, None, None, size, "")
    out.store = {"total_size": None, "array_count": len(arrays)}
    out.finish()


# ----------------------------------------------------------------------------- take

def cmd_take(outdir, takes_path):
    """What numpy fancy indexing gives, so that another reader's gather can be compared with it."""
    for name, indices in load_json(takes_path).items():
        arr = np.load(os.path.join(outdir, name + ".npy"), allow_pickle=False)
        picked = arr[np.array(indices, dtype=np.int64)]
        with open(os.path.join(outdir, name + ".take.raw"), "wb") as f:
            f.write(c_bytes(picked))


# ----------------------------------------------------------------------------- main

def main(argv):
    usage = ("usage: npk_layout.py write STORE SPEC.json | expect SPEC.json OUTDIR | dump STORE OUTDIR"
             " | model SPEC.json OPS.json OUTDIR | take OUTDIR TAKES.json")
    if len(argv) < 1:
        print(usage, file=sys.stderr)
        return 1
    cmd, args = argv[0], argv[1:]
    commands = {"write": (cmd_write, 2), "expect": (cmd_expect, 2), "dump": (cmd_dump, 2),
                "model": (cmd_model, 3), "take": (cmd_take, 2)}
    if cmd not in commands or len(args) != commands[cmd][1]:
        print(usage, file=sys.stderr)
        return 1
    try:
        commands[cmd][0](*args)
    except LayoutError as e:
        print("npk_layout: invalid store: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
