"""Long fuzz run of the HJ 212 codec and framer (the suite runs a short hypothesis version).

Mutates the published packets and random data for --seconds; fails on any exception other than PacketError or a
PacketError without a reason.

    .venv/bin/python tools/hj212_fuzz.py --seconds 600
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from ecoloop.hj212 import codec
from ecoloop.hj212.codec import PacketError
from ecoloop.hj212.framing import Framer

SEEDS = Path(__file__).resolve().parent.parent / "tests" / "data" / "hj212"


def mutate(rnd: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        op = rnd.random()
        if op < 0.3 and b:
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        elif op < 0.5 and b:
            del b[rnd.randrange(len(b))]
        elif op < 0.7:
            b.insert(rnd.randrange(len(b) + 1), rnd.choice(b";,=&-#\r\n0x{}/") if rnd.random() < .7 else rnd.randrange(256))
        elif op < 0.85 and len(b) > 10:
            i = rnd.randrange(len(b) - 5)
            b[i:i] = b[i:i + rnd.randint(1, 5)]
        else:
            seg = bytes(b[6:-4])
            b = bytearray(b"##%04d" % len(seg) + seg + codec.hj212_crc_hex(seg).encode())
    return bytes(b)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=212)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    seeds = [ln for f in ("packets.txt", "packets_invalid.txt") for ln in (SEEDS / f).read_bytes().splitlines() if ln]
    n = rejects = 0
    reasons: dict[str, int] = {}
    t0 = time.monotonic()
    while time.monotonic() - t0 < args.seconds:
        frame = mutate(rnd, rnd.choice(seeds))
        n += 1
        try:
            p = codec.parse_frame(frame)
            p.value_rows()
        except PacketError as exc:
            assert exc.reason and exc.detail, frame
            rejects += 1
            reasons[exc.reason] = reasons.get(exc.reason, 0) + 1
        f = Framer(max_frame=2048)
        stream = frame + b"\r\n" + mutate(rnd, frame)
        for i in range(0, len(stream), rnd.randint(1, 64)):
            for ev in f.feed(stream[i:i + 64]):
                assert ev.frame is not None or ev.reason
        f.close()
    print(f"{n:,} mutated packets in {args.seconds:.0f} s, {rejects:,} rejected, 0 unexpected exceptions; "
          f"reasons {dict(sorted(reasons.items(), key=lambda kv: -kv[1]))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
