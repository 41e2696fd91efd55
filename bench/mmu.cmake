# SPDX-License-Identifier: BSD-2-Clause
# MMU benchmark (run under callgrind; see the comment at the top of the source).
add_executable(mmu_walk_bench ${CMAKE_CURRENT_SOURCE_DIR}/mmu_walk_bench.c)
target_link_libraries(mmu_walk_bench PRIVATE x86assist_static)
