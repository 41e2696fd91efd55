# SPDX-License-Identifier: BSD-2-Clause
# The walk subcommand and the STATE parser (shared with the later emulate subcommand).
target_sources(x86assist_tool PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cmd_walk.c
                                      ${CMAKE_CURRENT_SOURCE_DIR}/state.c)
