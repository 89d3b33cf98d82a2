"""A small process that forks the batch's workers, so that none inherits what the batch holds per file.

Why: a worker forked from the batch process maps all of the batch's memory and counts it as its own
resident memory: the outcomes gathered so far (about 16 KB a file) and the manifest's records (about
5 KB a file). The first workers see little of it, but one forked late in a long batch (replacing a
worker killed on its deadline, crashed, or retired after MAX_FILES files) would start 100 MB heavier
after 10,000 files. The fork server is forked once, after the imports a fill needs and before
anything per file is loaded; every worker is forked from it, so each starts from the same image
however long the batch runs.

It answers one request at a time on a socket of messages: "spawn" forks a worker and passes the batch
its pid and the batch's ends of the worker's two pipes (SCM_RIGHTS); "reap" waits for a worker the
batch saw end or killed, and returns its wait status. A worker is reaped only when the batch asks, so
its pid cannot be reused by another process while the batch may still signal it. When the batch
closes its end (or dies), the server exits; its workers then see their task pipes close and end.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import socket
import struct

from .limits import Limits

_PID = struct.Struct("<q")
UNKNOWN_STATUS = -1  # a worker's wait status once the server that forked it is gone


class ForkServerGone(OSError):
    """The server no longer answers (killed, out of memory): the batch forks its workers itself."""


class ForkServer:
    def __init__(self):
        from .worker import frozen_fork, keep_only

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            pid = frozen_fork()  # as for a worker: the server's collector leaves the batch's objects alone
        except OSError:
            ours.close()
            theirs.close()
            raise
        if pid == 0:  # the server, with the batch's objects frozen: never returns
            ours.close()
            keep_only(theirs.fileno())
            _serve(theirs)
        theirs.close()
        self.pid, self.sock = pid, ours
        self.alive = True

    def spawn(self, force: bool, limits: Limits, systems: tuple[str, ...]) -> tuple[int, int, int]:
        """(the worker's pid, the write end of its task pipe, the read end of its outcome pipe)."""
        pid, fds = self._ask(("spawn", force, limits, systems), fds=2)  # short, without fds: it could not fork
        return pid, fds[0], fds[1]

    def reap(self, pid: int) -> int:
        """The worker's wait status, once it has ended (the caller saw its pipe close, or killed it)."""
        return self._ask(("reap", pid))[0]

    def _ask(self, request: tuple, fds: int = 0) -> tuple[int, list[int]]:
        """The server's answer (a number, and ``fds`` descriptors); ForkServerGone if none comes whole."""
        try:
            self.sock.send(pickle.dumps(request))
            if fds:
                data, got, _, _ = socket.recv_fds(self.sock, _PID.size, fds)
            else:
                data, got = self.sock.recv(_PID.size), []
        except OSError as exc:
            self.alive = False
            raise ForkServerGone(str(exc)) from None
        if len(data) != _PID.size or len(got) != fds:
            for fd in got:
                os.close(fd)
            self.alive = False
            raise ForkServerGone("no answer")
        return _PID.unpack(data)[0], got

    def close(self) -> None:
        self.alive = False
        self.sock.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def start() -> ForkServer | None:
    """A fork server, or None where there is none to be had (no fork, no message sockets, no process)."""
    if not hasattr(os, "fork") or not hasattr(socket, "SOCK_SEQPACKET") or not hasattr(socket, "recv_fds"):
        return None
    try:
        return ForkServer()
    except OSError:
        return None


def _serve(sock: socket.socket) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's: it kills the workers and this
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        gc.disable()  # it holds nothing new but a few requests
        from .worker import fork_worker

        while True:
            message = sock.recv(1 << 16)
            if not message:
                break  # the batch is done, or gone
            request = pickle.loads(message)  # only the batch that forked this server writes here
            if request[0] == "spawn":
                try:
                    pid, send_fd, recv_fd = fork_worker(*request[1:])
                except OSError:  # cannot fork now: a short answer, and the batch forks its workers itself
                    sock.send(b"\0")
                    continue
                socket.send_fds(sock, [_PID.pack(pid)], [send_fd, recv_fd])
                os.close(send_fd)
                os.close(recv_fd)
            else:
                _, status = os.waitpid(request[1], 0)
                sock.send(_PID.pack(status))
    except BaseException:  # noqa: BLE001 - the batch sees the socket close and forks its workers itself
        code = 1
    finally:
        os._exit(code)
