// Uses the installed clocks: exits 0 only if they behave.
#include <clock/lamport_clock.h>
#include <clock/vector_clock.h>

#include <cstdio>

int main() {
  distlab::LamportClock a;
  distlab::LamportClock b;
  a.tick();
  const auto stamp = a.send();
  b.receive(stamp);
  distlab::VectorClock va(1);
  distlab::VectorClock vb(2);
  const distlab::VectorClock m = va.send();
  vb.receive(m);
  distlab::VectorClock vc(3);
  vc.tick();
  const bool ok = b.time() == 3 && distlab::compare(m, vb) == distlab::Order::before &&
                  distlab::compare(vb, vc) == distlab::Order::concurrent;
  std::puts(ok ? "consumer: clocks ok" : "consumer: clocks WRONG");
  return ok ? 0 : 1;
}
