# tcp-stress.py: real TCP clients that stress a guest's server (many at once, resets, half-close, slow peers, a SYN flood); one JSON line out.
#
# Usage: python3 tcp-stress.py CONFIG_JSON STEP_JSON
# CONFIG: {"host", "port", "proto"}; proto is what one connection sends and what must come back:
#   {"kind": "echo", "size": N, "heavy": M}: connection i sends N + 37*(i % 100) bytes of its own
#       pattern and must get exactly those bytes back; a reader that never reads sends M bytes.
#   {"kind": "fixed", "request": S, "reply": S | null, "prefix": S | null, "heavy": S}: every
#       connection sends S (latin-1) and must get exactly `reply`, or a reply starting with
#       `prefix` followed by the server's FIN; `heavy` is a request whose reply is large (a
#       client that never reads sends it 64 times, pipelined).
# STEP: {"step": "many" | "resets" | "halfclose" | "slow" | "fresh" | "synflood" | "reuse" |
#       "isn", ...}.
# Every step checks what it was sent back and returns counts, never raises for a wrong reply;
# the test asserts on the counts.
import errno, json, os, random, resource, selectors, socket, statistics, struct, sys, time

config, step = json.loads(sys.argv[1]), json.loads(sys.argv[2])
HOST, PORT, PROTO = config['host'], config['port'], config['proto']

# 1,000 sockets at once and more: raise the soft descriptor limit as far as the hard one.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def request(i):
    if PROTO['kind'] == 'echo':
        n = PROTO['size'] + 37 * (i % 100)
        return bytes((i * 7 + k) & 0xff for k in range(256)) * (n // 256) + bytes(n % 256)
    return PROTO['request'].encode('latin-1')


def heavy(i):
    if PROTO['kind'] == 'echo':
        return bytes([i & 0xff]) * PROTO['heavy']
    # Pipelined, more than the client's send buffer and the server's window hold (about 6 MB):
    # a keep-alive server has one large reply after another to send, and a client that never
    # reads them can only stall if the server stops reading its requests.
    return PROTO['heavy'].encode('latin-1') * 160000


def expected_len(i, req):
    """How many bytes make a whole reply, when that is known in advance."""
    if PROTO['kind'] == 'echo':
        return len(req)
    return len(PROTO['reply'].encode('latin-1')) if PROTO.get('reply') is not None else None


def reply_ok(i, req, got, fin):
    if PROTO['kind'] == 'echo':
        return bytes(got) == req
    if PROTO.get('reply') is not None:
        return bytes(got) == PROTO['reply'].encode('latin-1')
    return fin and bytes(got).startswith(PROTO['prefix'].encode('latin-1'))


def connect(timeout=10):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()


def read_reply(s, i, req):
    """Reads one reply on a blocking socket; whether it is the right one."""
    want, got, fin = expected_len(i, req), bytearray(), False
    while want is None or len(got) < want:
        b = s.recv(65536)
        if not b:
            fin = True
            break
        got.extend(b)
    return reply_ok(i, req, got, fin)


def exchange(i, half_close=False, timeout=10):
    """One connection, one request and its whole reply; returns (ok, seconds)."""
    t0 = time.monotonic()
    s = connect(timeout)
    try:
        req = request(i)
        s.sendall(req)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        return read_reply(s, i, req), time.monotonic() - t0
    finally:
        s.close()


def pump(conns, half_close, deadline):
    """Drives every connection's request and reply through one selector until all are done."""
    sel = selectors.DefaultSelector()
    for c in conns:
        c['s'].setblocking(False)
        sel.register(c['s'], selectors.EVENT_READ | selectors.EVENT_WRITE, c)
    pending = len(conns)
    while pending > 0 and time.monotonic() < deadline:
        for key, ev in sel.select(1):
            c = key.data
            if ev & selectors.EVENT_WRITE and c['sent'] < len(c['req']):
                c['sent'] += c['s'].send(c['req'][c['sent']:c['sent'] + 262144])
                if c['sent'] == len(c['req']):
                    if half_close:
                        c['s'].shutdown(socket.SHUT_WR)
                    sel.modify(c['s'], selectors.EVENT_READ, c)
            if ev & selectors.EVENT_READ:
                try:
                    b = c['s'].recv(262144)
                except ConnectionError:
                    b, c['error'] = b'', True
                if b:
                    c['got'].extend(b)
                else:
                    c['fin'] = True
                want = expected_len(c['i'], c['req'])
                if c['fin'] or (not half_close and want is not None and len(c['got']) >= want):
                    sel.unregister(c['s'])
                    c['done'] = True
                    pending -= 1
    sel.close()


def many(n, half_close=False, seconds=90):
    """n connections opened first, then all exchanging at once, closed only when all are done.
    The deadline is generous: a burst of 1,000 overflows the tap's queue (1,000 frames) and the
    lost segments come back through the kernel's backed-off retransmissions; this is about being
    served, not how fast."""
    t0 = time.monotonic()
    conns, refused = [], 0
    for i in range(n):
        try:
            s = connect()
        except OSError:
            refused += 1
            continue
        conns.append({'i': i, 's': s, 'req': request(i), 'sent': 0, 'got': bytearray(),
                      'fin': False, 'done': False, 'error': False})
    opened = time.monotonic() - t0
    pump(conns, half_close, t0 + seconds)
    ok = sum(reply_ok(c['i'], c['req'], c['got'], c['fin']) for c in conns)
    fins = sum(c['fin'] and not c['error'] for c in conns)
    for c in conns:
        c['s'].close()
    return {'opened': len(conns), 'refused': refused, 'ok': ok, 'fins': fins,
            'openSeconds': round(opened, 2), 'seconds': round(time.monotonic() - t0, 2)}


def resets(n, batch=50):
    """n connections reset (SO_LINGER 0) mid-transfer, `batch` at a time, in three ways: right
    after a short request; after reading part of a heavy one's reply; while a heavy one is still
    being sent."""
    done = 0
    for base in range(0, n, batch):
        socks = []
        for i in range(base, min(n, base + batch)):
            s = connect()
            s.setblocking(False)
            socks.append((i, s))
        for i, s in socks:
            data = heavy(i)[:1000 if i % 3 == 0 else 200000]
            try:
                sent = s.send(data)
            except BlockingIOError:
                sent = 0
            if i % 3 == 1:
                # Wait (briefly) for the reply to be under way before the reset.
                s.settimeout(2)
                try:
                    s.recv(1000)
                except OSError:
                    pass
            reset(s)
            done += 1
    return {'reset': done}


def slow(n_slow, seconds, fast_pause=0.05):
    """n_slow clients trickle a byte a second, one client sends a heavy request and never reads,
    while fast clients make one round trip after another; then the slow ones finish theirs."""
    slowpokes = []
    for i in range(n_slow):
        s = connect()
        slowpokes.append({'i': i, 's': s, 'req': request(i), 'sent': 0})
    hog = connect()
    hog.setblocking(False)
    hog_data, hog_sent = heavy(0), 0
    fast, failures, t0, last_tick = [], 0, time.monotonic(), 0.0
    while time.monotonic() - t0 < seconds:
        now = time.monotonic()
        if now - last_tick >= 1:
            last_tick = now
            for c in slowpokes:
                c['s'].sendall(c['req'][c['sent']:c['sent'] + 1])
                c['sent'] += 1
        # The non-reader pushes as much as it is let: soon nothing, once the server stops reading.
        try:
            hog_sent += hog.send(hog_data[hog_sent:hog_sent + (1 << 20)])
        except BlockingIOError:
            pass
        started = time.monotonic()
        try:
            ok, took = exchange(1000 + len(fast))
        except OSError:
            ok, took = False, time.monotonic() - started
        fast.append(took)
        failures += not ok
        time.sleep(fast_pause)
    hog_stalled = True
    try:
        hog_stalled = hog.send(hog_data[hog_sent:hog_sent + (1 << 20)]) == 0
    except BlockingIOError:
        pass
    reset(hog)
    # The slow clients send the rest at once and must get their whole replies.
    conns = []
    for c in slowpokes:
        conns.append({'i': c['i'], 's': c['s'], 'req': c['req'], 'sent': c['sent'],
                      'got': bytearray(), 'fin': False, 'done': False, 'error': False})
    pump(conns, False, time.monotonic() + 20)
    slow_ok = sum(reply_ok(c['i'], c['req'], c['got'], c['fin']) for c in conns)
    for c in conns:
        c['s'].close()
    return {'fast': len(fast), 'fastFailed': failures,
            'fastMaxSeconds': round(max(fast), 3), 'fastMedianSeconds': round(statistics.median(fast), 4),
            'slowOk': slow_ok, 'slowBytesTrickled': min(c['sent'] for c in slowpokes),
            'hogSent': hog_sent, 'hogStalled': hog_stalled}


def fresh(within):
    """A normal exchange on a new connection, retried (a new connection every 2 s at most) until it
    works or `within` seconds pass."""
    t0, tries = time.monotonic(), 0
    while True:
        tries += 1
        left = within - (time.monotonic() - t0)
        try:
            ok, _ = exchange(4242, timeout=max(0.5, min(2, left)))
            if ok:
                return {'ok': True, 'tries': tries, 'seconds': round(time.monotonic() - t0, 2)}
        except OSError:
            pass
        if time.monotonic() - t0 >= within:
            return {'ok': False, 'tries': tries, 'seconds': round(time.monotonic() - t0, 2)}
        time.sleep(0.2)


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def synflood(count, sources):
    """`count` SYNs to the server's port, as fast as a raw socket takes them, from spoofed
    addresses (sources: a list of 'A.B.C.' prefixes; hosts 10..250) and random ports; nobody
    answers the SYN-ACKs (no such hosts)."""
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    dst = socket.inet_aton(HOST)
    rnd = random.Random(12)
    sent, t0 = 0, time.monotonic()
    for k in range(count):
        src = socket.inet_aton(sources[k % len(sources)] + str(rnd.randint(10, 250)))
        sport, seq = rnd.randint(1024, 65535), rnd.getrandbits(32)
        # MSS option (1460): a SYN like a real client's.
        tcp = struct.pack('!HHIIBBHHH', sport, PORT, seq, 0, 6 << 4, 0x02, 64240, 0, 0) + \
            struct.pack('!BBH', 2, 4, 1460)
        pseudo = src + dst + struct.pack('!BBH', 0, socket.IPPROTO_TCP, len(tcp))
        tcp = tcp[:16] + struct.pack('!H', checksum(pseudo + tcp)) + tcp[18:]
        # Total length and header checksum are filled in by the kernel (IP_HDRINCL).
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 0, k & 0xffff, 0, 64, socket.IPPROTO_TCP, 0,
                         src, dst)
        while True:
            try:
                raw.sendto(ip + tcp, (HOST, 0))
                sent += 1
                break
            except OSError as e:
                # The tap's queue is full (the guest reads it as fast as it can): try again.
                if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                    raise
                time.sleep(0.0005)
    raw.close()
    return {'sent': sent, 'seconds': round(time.monotonic() - t0, 2)}


def reuse(n, local_port=40000):
    """n exchanges one after another from the same local port. A server that closes first keeps
    each one's address pair in TIME_WAIT when the next one's SYN comes (Linux makes that SYN's
    number larger, as RFC 1122 4.2.2.13 wants). Counts those served, and those whose SYN had to
    be sent again (TCP_INFO's tcpi_total_retrans, at byte 100, once connected)."""
    ok = resent = 0
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(5)
        try:
            s.bind(('0.0.0.0', local_port))
            for _ in range(100):  # our last socket on the pair may still await its FIN's ACK
                try:
                    s.connect((HOST, PORT))
                    break
                except OSError as e:
                    if e.errno != errno.EADDRNOTAVAIL:
                        raise
                    time.sleep(0.01)
            info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
            resent += struct.unpack_from('I', info, 100)[0] > 0
            req = request(i)
            s.sendall(req)
            ok += read_reply(s, i, req)
        except OSError:
            pass
        finally:
            s.close()
    return {'ok': ok, 'synResent': resent}


def isn(n, dev):
    """The server's initial sequence numbers: n connections (each served), their SYN-ACKs
    read off the interface `dev` with a packet socket."""
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    sniff.bind((dev, 0))
    served = 0
    for i in range(n):
        served += exchange(i)[0]
    sniff.setblocking(False)
    seqs = []
    while True:
        try:
            frame = sniff.recv(2048)
        except BlockingIOError:
            break
        ip = frame[14:]
        if len(ip) < 20 or ip[9] != socket.IPPROTO_TCP:
            continue
        tcp = ip[(ip[0] & 0x0f) * 4:]
        sport, _, seq = struct.unpack_from('!HHI', tcp)
        if sport == PORT and tcp[13] & 0x12 == 0x12:  # SYN and ACK
            seqs.append(seq)
    return {'served': served, 'isns': seqs}


STEPS = {
    'reuse': lambda: reuse(step['n']),
    'isn': lambda: isn(step['n'], step['dev']),
    'many': lambda: many(step['n'], step.get('halfClose', False), step.get('seconds', 90)),
    'resets': lambda: resets(step['n']),
    'halfclose': lambda: many(step['n'], True, step.get('seconds', 90)),
    'slow': lambda: slow(step['slow'], step['seconds']),
    'fresh': lambda: fresh(step.get('within', 10)),
    'synflood': lambda: synflood(step['count'], step['sources']),
}
print(json.dumps(STEPS[step['step']]()))
