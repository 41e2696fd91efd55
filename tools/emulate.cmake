# SPDX-License-Identifier: BSD-2-Clause
# The emulate subcommand (cli-json.md, "emulate"): STATE parsing is shared with walk.
target_sources(x86assist_tool PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cmd_emulate.c)
