// How much of a long loop of seeds a test visits. The optimized build's tests
// (`make test`) visit every seed. The sanitizer build (`make sanitize`, which
// defines DISTLAB_SLOW_BUILD) runs ten to twenty times slower and comes after that
// pass: it visits one seed in kTestSeedStride, which puts the same code paths under
// AddressSanitizer and UndefinedBehaviorSanitizer in a fifth of the time.
//
//   for (std::uint64_t seed = 1; seed <= 1000; seed += kTestSeedStride) ...
//   EXPECT_GE(snapshots, 2000u / kTestSeedStride);
#pragma once

namespace distlab {

#ifdef DISTLAB_SLOW_BUILD
inline constexpr int kTestSeedStride = 5;
#else
inline constexpr int kTestSeedStride = 1;
#endif

}  // namespace distlab
