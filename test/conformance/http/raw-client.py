# raw-client.py: raw HTTP exchanges with examples/http for net-http.test.ts (bytes curl will not send); prints one JSON object.
import hashlib, json, socket, sys, time

host, idle_limit = sys.argv[1], float(sys.argv[2])


def connect():
    return socket.create_connection((host, 80), timeout=20)


def read_all(s):
    data = b''
    while True:
        b = s.recv(65536)
        if not b:
            return data
        data += b


def read_response(s, buf, head_only):
    """One response from s (buf: bytes already read): its summary and the bytes after it."""
    while b'\r\n\r\n' not in buf:
        b = s.recv(65536)
        if not b:
            raise EOFError('closed inside a response head')
        buf += b
    head, buf = buf.split(b'\r\n\r\n', 1)
    lines = head.decode('latin-1').split('\r\n')
    headers = {}
    for line in lines[1:]:
        k, v = line.split(':', 1)
        headers[k.lower()] = v.strip()
    n = 0 if head_only else int(headers.get('content-length', '0'))
    while len(buf) < n:
        b = s.recv(65536)
        if not b:
            raise EOFError('closed inside a body')
        buf += b
    summary = {'status': lines[0], 'body': buf[:n].decode('latin-1')}
    for k in ('content-length', 'content-type', 'connection', 'allow', 'location'):
        if k in headers:
            summary[k] = headers[k]
    return summary, buf[n:]


def one_then_close(raw):
    """Sends raw, reads one response, then the server must close: nothing more arrives."""
    s = connect()
    s.sendall(raw)
    r, rest = read_response(s, b'', False)
    r['after'] = (rest + read_all(s)).decode('latin-1')
    s.close()
    return r


ERRORS = {
    'garbage': b'GARBAGE\r\n\r\n',
    'no-version': b'GET /\r\n\r\n',
    'bad-version': b'GET / HTTX/1.1\r\nHost: x\r\n\r\n',
    'two-spaces': b'GET  / HTTP/1.1\r\nHost: x\r\n\r\n',
    'http2': b'GET / HTTP/2.0\r\nHost: x\r\n\r\n',
    'http09': b'GET / HTTP/0.9\r\nHost: x\r\n\r\n',
    'no-host': b'GET / HTTP/1.1\r\n\r\n',
    'two-hosts': b'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
    'no-colon': b'GET / HTTP/1.1\r\nHost x\r\n\r\n',
    'folded': b'GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n',
    'nul-in-header': b'GET / HTTP/1.1\r\nHost: x\x00\r\n\r\n',
    'relative-target': b'GET index.html HTTP/1.1\r\nHost: x\r\n\r\n',
    'nul-in-path': b'GET /index.html%00 HTTP/1.1\r\nHost: x\r\n\r\n',
    'bad-escape': b'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n',
    'short-escape': b'GET /index.htm%6 HTTP/1.1\r\nHost: x\r\n\r\n',
    'dotdot': b'GET /../index.html HTTP/1.1\r\nHost: x\r\n\r\n',
    'dotdot-inner': b'GET /docs/../index.html HTTP/1.1\r\nHost: x\r\n\r\n',
    'dotdot-encoded': b'GET /docs/%2e%2E/index.html HTTP/1.1\r\nHost: x\r\n\r\n',
    'dotdot-slash': b'GET /docs/..%2findex.html HTTP/1.1\r\nHost: x\r\n\r\n',
    'get-with-body': b'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
    'chunked': b'GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'post': b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
    'options': b'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
    'huge-header': b'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'a' * 9000 + b'\r\n\r\n',
}


def pipelined():
    """Six requests in one write; the answers come back in order, then the close."""
    reqs = [
        (b'GET /css/site.css HTTP/1.1\r\nHost: x\r\n\r\n', False),
        (b'HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n', True),
        (b'GET /missing.html HTTP/1.1\r\nHost: x\r\n\r\n', False),
        (b'GET /docs HTTP/1.1\r\nHost: x\r\n\r\n', False),
        (b'HEAD /missing.html HTTP/1.1\r\nHost: x\r\n\r\n', True),
        (b'GET http://x/notes.txt?q=1 HTTP/1.1\r\nHost: x\r\n\r\n', False),
        (b'GET /data.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', False),
    ]
    s = connect()
    s.sendall(b'\r\n' + b''.join(r for r, _ in reqs))  # an empty line first is ignored
    out, buf = [], b''
    for _, head_only in reqs:
        r, buf = read_response(s, buf, head_only)
        out.append(r)
    after = (buf + read_all(s)).decode('latin-1')
    s.close()
    return {'responses': out, 'after': after}


def http10():
    """HTTP/1.0: closed after the answer, unless it asks for keep-alive."""
    plain = one_then_close(b'GET /notes.txt HTTP/1.0\r\n\r\n')
    s = connect()
    s.sendall(b'GET /notes.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    first, buf = read_response(s, b'', False)
    s.sendall(b'GET /data.json HTTP/1.0\r\n\r\n')
    second, buf = read_response(s, buf, False)
    after = (buf + read_all(s)).decode('latin-1')
    s.close()
    return {'plain': plain, 'kept': [first, second], 'after': after}


def idle():
    """After an answer, an idle keep-alive connection is closed by the server."""
    s = connect()
    s.sendall(b'GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n')
    r, buf = read_response(s, b'', False)
    start = time.time()
    rest = buf + read_all(s)
    waited = time.time() - start
    s.close()
    return {'status': r['status'], 'after': rest.decode('latin-1'),
            'closed_in_time': 1 <= waited <= idle_limit}


def flood():
    """While the 10 MiB answer waits for this client to read, 300 more requests arrive, each in
    its own small segment: the server holds a few and refuses the rest until it catches up
    (the client retransmits them); every answer still comes, in order."""
    s = connect()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b'GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n')
    time.sleep(0.5)
    for _ in range(300):
        s.sendall(b'GET /css/site.css HTTP/1.1\r\nHost: x\r\n\r\n')
    s.sendall(b'GET /data.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    time.sleep(0.5)
    big, buf = read_response(s, b'', False)
    css = []
    for _ in range(300):
        r, buf = read_response(s, buf, False)
        css.append(r['body'])
    last, buf = read_response(s, buf, False)
    after = (buf + read_all(s)).decode('latin-1')
    s.close()
    return {'big': hashlib.sha256(big['body'].encode('latin-1')).hexdigest(),
            'css': sorted(set(css)), 'css_count': len(css), 'last': last['status'],
            'after': after}


out = {name: one_then_close(raw) for name, raw in ERRORS.items()}
out['flood'] = flood()
out['pipelined'] = pipelined()
out['http10'] = http10()
out['idle'] = idle()
print(json.dumps(out))
