# SPDX-License-Identifier: Apache-2.0
dist_man1_MANS += man/timonier.1
dist_man8_MANS += man/timonier-apiserver.8
